/* fuzz_qps.c - libFuzzer target: the QPS/MPS reader on arbitrary bytes, then
 * the canonical problem's accessors. Any input must return OK or an error. */
#include "dqp.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    dqp_qps *qps = dqp_qps_create();
    if (!qps)
        return 0;
    if (dqp_qps_read_buffer(qps, (const char *)data, size, "fuzz") == DQP_OK) {
        const dqp_problem *p = dqp_qps_problem(qps);
        int64_t n = dqp_problem_n(p);
        /* evaluate the objective at 0: touches every array of the problem */
        static const double zero[64] = {0};
        if (n <= 64)
            (void)dqp_qps_objective(qps, zero);
        for (int64_t k = 0; k < dqp_problem_m_ineq(p); k++) {
            dqp_row_origin o;
            (void)dqp_qps_row_origin(qps, 0, k, &o);
        }
    } else {
        (void)dqp_qps_last_error(qps);
    }
    dqp_qps_destroy(qps);
    return 0;
}
