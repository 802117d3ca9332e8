"""Checks that every subcommand parses counts, numbers, seeds and lists of sizes the same
way: a malformed value is refused with the same one-line sentence (naming the command,
the option, the accepted values and what was given), a non-zero exit and no output file;
the extreme values that are allowed run.
usage: test_options_cli.py UDL_BINARY WORK_DIR"""
import os

import numpy as np

from harness import UDL, check, check_errors, finish, path, udl

rng = np.random.default_rng(5)
np.save(path("x.npy"), rng.random((40, 6)))
np.save(path("y.npy"), rng.integers(0, 2, 40))
# the models visualize and attack apply
for model, labels in (("ae", []), ("dnn", ["-l", path("y.npy")])):
    udl("train", "--model", model, "--layers", "3", "-i", path("x.npy"), *labels, "--save",
        path(f"{model}.udl"), "--epochs", "1")


def base(command, out):
    """Arguments with which command succeeds, writing path(out + its extension)."""
    if command == "train":
        return ["--model", "sae", "--layers", "4,3", "-i", path("x.npy"), "--save",
                path(out + ".udl"), "--epochs", "1"], path(out + ".udl")
    if command == "tsne":
        return ["-i", path("x.npy"), "-o", path(out + ".npy"), "--perplexity", "5",
                "--iters", "20"], path(out + ".npy")
    if command == "visualize":
        return ["--model", path("ae.udl"), "--layer", "0", "--npy", path(out + ".npy"),
                "--steps", "2", "--restarts", "1"], path(out + ".npy")
    if command == "attack":
        return ["--model", path("dnn.udl"), "-i", path("x.npy"), "-l", path("y.npy"),
                "--method", "pgd", "-o", path(out + ".npy")], path(out + ".npy")
    return ["-i", path("x.npy"), "-o", path(out + ".npy")], path(out + ".npy")


BASE = {command: base(command, "out")
        for command in ("train", "tsne", "pca", "visualize", "attack")}
for args, out_file in BASE.values():
    if os.path.exists(out_file):  # from an earlier run in the same directory
        os.remove(out_file)

SIZE_OPTIONS = {
    "train": ["--epochs", "--batch", "--finetune-epochs", "--patience", "--pretrain-epochs"],
    "tsne": ["--iters", "--dims", "--pca"],
    "pca": ["-k", "--components"],
    "visualize": ["--steps", "--restarts"],
    "attack": ["--steps", "--restarts"],
}
BAD_SIZES = ["-1", "1x", "0", "", "+1", " 1", "1.5", "1e3", "0x10", "16777217",
             "99999999999999999999999"]

SEED_OPTIONS = {"train": ["--seed"], "tsne": ["--seed"], "visualize": ["--seed"],
                "attack": ["--seed"]}
BAD_SEEDS = ["1.5", "-1", "+1", "1e3", "x", "", "18446744073709551616"]

NUMBER_OPTIONS = {
    "train": ["--lr", "--momentum", "--weight-decay", "--finetune-lr", "--valid-fraction",
              "--pretrain-lr"],
    "tsne": ["--perplexity", "--theta", "--learning-rate"],
    "pca": ["--variance"],
    "visualize": ["--norm"],
    "attack": ["--eps", "--step-size"],
}
BAD_NUMBERS = ["nan", "inf", "-inf", "1x", "", " 1", "1 ", "1e999", "0.5.5"]

BAD_LAYERS = ["4,", ",4", "4,,3", "4;3", "0", "-4", "4, 3", ",".join(["3"] * 33)]


def cases_for(command, options, values, sentence):
    for opt in options:
        # --components is -k's long name; the sentence names the option as -k
        shown = "-k" if opt == "--components" else opt
        for v in values:
            yield (f"{command} {opt} {v!r}", [*BASE[command][0], opt, v],
                   f"udl {command}: {shown} {sentence}, got '{v}'\n")


for command, (args, out_file) in BASE.items():
    cases = [
        *cases_for(command, SIZE_OPTIONS[command], BAD_SIZES,
                   "needs an integer from 1 to 16777216"),
        *cases_for(command, SEED_OPTIONS.get(command, []), BAD_SEEDS,
                   "needs an integer from 0 to 18446744073709551615"),
        *cases_for(command, NUMBER_OPTIONS[command], BAD_NUMBERS, "needs a number"),
    ]
    if command == "train":
        cases += cases_for(command, ["--layers"], BAD_LAYERS,
                           "needs 1 to 32 integers from 1 to 16777216 separated by commas")
    # the words are the whole sentence with its newline, so the one line is exactly it
    check_errors(command, list(cases), out_file)

# the same limits, reached, are accepted by every command
for command, extra in [("train", ["--seed", "18446744073709551615"]),
                       ("tsne", ["--seed", "18446744073709551615"]),
                       ("pca", ["-k", "1"]),
                       ("visualize", ["--seed", "18446744073709551615"]),
                       ("attack", ["--seed", "18446744073709551615"])]:
    args, out_file = base(command, "accepted")
    rc, out, err = udl(command, *args, *extra)
    check(f"{command} {extra}: accepted", rc == 0, err)
rc, out, err = udl("train", "--model", "sae", "--layers", ",".join(["3"] * 32), "-i",
                   path("x.npy"), "--save", path("deep.udl"), "--epochs", "1")
check("train: 32 layers accepted", rc == 0, err)
rc, out, err = udl("pca", "-i", path("x.npy"), "--variance", "1", "--json")
check("pca: --variance 1 accepted", rc == 0, err)

# Progress: plain lines when stderr is not a terminal (a pipe here), the stage and layer,
# epoch and batch, ending each stage at 100 %; none with --quiet; a redrawn bar on a
# terminal.
train = ["train", "--model", "sae", "--layers", "4,3", "-i", path("x.npy"), "--save",
         path("progress.udl"), "--epochs", "3", "--batch", "8"]
rc, out, err = udl(*train)
check("progress: no lines for short work", rc == 0 and err == "", err)
os.environ["UDL_PROGRESS_SECONDS"] = "0"
rc, out, err = udl(*train)
lines = err.splitlines()
check("progress: plain lines", rc == 0 and lines and all("\r" not in l for l in lines), err)
for layer in (1, 2):
    check(f"progress: layer {layer} ends at 100 %",
          f"autoencoder {layer}/2: 100%  epoch 3/3  batch 5/5  loss " in err, err)
check("progress: a line for every batch at 0 s", len(lines) == 2 * 3 * 5, err)
rc, out, err = udl(*train, "--quiet")
check("progress: --quiet", rc == 0 and err == "", err)
rc, out, err = udl("--quiet", "pca", "-i", path("x.npy"), "-o", path("quiet.npy"))
check("progress: --quiet before the command", rc == 0 and err == "", err)

del os.environ["UDL_PROGRESS_SECONDS"]
import pty  # noqa: E402 (only this check needs a terminal)
import re  # noqa: E402

pid, fd = pty.fork()
if pid == 0:
    os.execv(UDL, [UDL, *train])
screen = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    screen += chunk
_, status = os.waitpid(pid, 0)
screen = screen.decode(errors="replace")
check("progress: a terminal gets a redrawn bar",
      os.WEXITSTATUS(status) == 0 and re.search(r"\rautoencoder 2/2 \[#+\] 100%", screen),
      repr(screen))

finish("tsne")
