/* status.c - status strings and the version. */
#include "core/internal.h"

const char *dqp_status_string(dqp_status s) {
    switch (s) {
    case DQP_OK: return "DQP_OK: success";
    case DQP_ERR_NULL: return "DQP_ERR_NULL: required pointer is NULL";
    case DQP_ERR_DIMENSION: return "DQP_ERR_DIMENSION: invalid or mismatched dimension";
    case DQP_ERR_INDEX: return "DQP_ERR_INDEX: index out of range";
    case DQP_ERR_POINTERS: return "DQP_ERR_POINTERS: column pointers not monotone";
    case DQP_ERR_UNSORTED: return "DQP_ERR_UNSORTED: row indices not sorted";
    case DQP_ERR_DUPLICATE: return "DQP_ERR_DUPLICATE: duplicate row index";
    case DQP_ERR_NONFINITE: return "DQP_ERR_NONFINITE: NaN or Inf in data";
    case DQP_ERR_NOT_SYMMETRIC: return "DQP_ERR_NOT_SYMMETRIC: matrix not symmetric";
    case DQP_ERR_TRIANGLE: return "DQP_ERR_TRIANGLE: entry below the diagonal of an upper triangle";
    case DQP_ERR_MISSING: return "DQP_ERR_MISSING: required data missing";
    case DQP_ERR_UNKNOWN_NAME: return "DQP_ERR_UNKNOWN_NAME: unknown name";
    case DQP_ERR_VALUE: return "DQP_ERR_VALUE: invalid value";
    case DQP_ERR_IO: return "DQP_ERR_IO: input/output error";
    case DQP_ERR_PARSE: return "DQP_ERR_PARSE: malformed input";
    case DQP_ERR_NOMEM: return "DQP_ERR_NOMEM: out of memory";
    case DQP_ERR_SINGULAR: return "DQP_ERR_SINGULAR: singular linear system";
    case DQP_ERR_NUMERICAL: return "DQP_ERR_NUMERICAL: numerical failure";
    case DQP_ERR_BACKEND: return "DQP_ERR_BACKEND: external library error";
    case DQP_ERR_NOT_READY: return "DQP_ERR_NOT_READY: call made in the wrong state";
    case DQP_ERR_UNSUPPORTED: return "DQP_ERR_UNSUPPORTED: not supported";
    case DQP_ERR_NOT_CONVEX: return "DQP_ERR_NOT_CONVEX: P is not positive semidefinite";
    }
    return "unknown status";
}

const char *dqp_version(void) { return DQP_VERSION_STRING; }
