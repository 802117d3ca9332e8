/** @file
 * The whole public API of libudl: includes every public header. */
#ifndef UDL_UDL_H
#define UDL_UDL_H

#include <udl/version.h>
#include <udl/status.h>
#include <udl/matrix.h>
#include <udl/optim.h>
#include <udl/loss.h>
#include <udl/model.h>
#include <udl/io.h>
#include <udl/pca.h>
#include <udl/tsne.h>
#include <udl/autoencoder.h>
#include <udl/rbm.h>
#include <udl/dnn.h>
#include <udl/featviz.h>
#include <udl/adversarial.h>

#endif
