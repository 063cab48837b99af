/* diff_util.h - test-only helpers shared by the engine tests: a
 * deterministic generator and a dot product. */
#ifndef DQP_DIFF_UTIL_H
#define DQP_DIFF_UTIL_H

#include <stdint.h>

/* Uniform in [-1, 1), deterministic (linear congruential, state *s). */
static inline double urand(unsigned *s) {
    *s = *s * 1103515245u + 12345u;
    return ((double)((*s >> 8) & 0xFFFFFF) / 8388608.0) - 1.0;
}

static inline double dot(const double *a, const double *b, int64_t n) {
    double s = 0.0;
    for (int64_t k = 0; k < n; k++)
        s += a[k] * b[k];
    return s;
}

#endif
