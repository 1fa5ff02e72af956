#ifndef PEIL_CZEROMQ_SHIM_H
#define PEIL_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
