# Runs doxygen on the public headers and fails on any warning (the test `docs`).
# usage: cmake -DDOXYGEN=... -DDOXYFILE=... -DOUT=... -P check_docs.cmake
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${DOXYGEN} ${DOXYFILE} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(log "")
if(EXISTS ${OUT}/warnings.log)
  file(READ ${OUT}/warnings.log log)
endif()
if(NOT rc EQUAL 0 OR NOT log STREQUAL "" OR NOT err STREQUAL "")
  message(FATAL_ERROR "doxygen (exit ${rc}) warned:\n${log}${err}")
endif()
message(STATUS "doxygen: no warnings; pages in ${OUT}/html")
