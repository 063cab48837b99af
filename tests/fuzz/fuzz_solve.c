/* fuzz_solve.c - libFuzzer target: validate + solve + differentiate small
 * problems decoded from the input bytes, with every registered solver.
 * Values may be huge, NaN or Inf, P may be indefinite: nothing may crash. */
#include "dqp.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *p;
    size_t left;
} reader;

static unsigned byte(reader *r) {
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

/* A value: mostly small numbers, sometimes special ones. */
static double value(reader *r) {
    unsigned b = byte(r);
    switch (b) {
    case 255: return NAN;
    case 254: return INFINITY;
    case 253: return 1e300;
    case 252: return -1e-300;
    default: return ((double)b - 126.0) / 16.0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size};
    int64_t n = 1 + byte(&r) % 6, me = byte(&r) % 3, mi = byte(&r) % 7;
    unsigned flags = byte(&r);
    double M[36], P[36], q[6], A[18], b[3], C[42], d[7];
    for (int k = 0; k < n * n; k++)
        M[k] = value(&r);
    for (int64_t i = 0; i < n; i++) /* P = M M' (PSD) unless flag bit 0 */
        for (int64_t j = 0; j < n; j++) {
            double s = 0.0;
            for (int64_t k = 0; k < n; k++)
                s += M[i * n + k] * M[j * n + k];
            P[i * n + j] = (flags & 1) ? M[i * n + j] : s;
        }
    for (int k = 0; k < n; k++)
        q[k] = value(&r);
    for (int k = 0; k < me * n; k++)
        A[k] = value(&r);
    for (int k = 0; k < me; k++)
        b[k] = value(&r);
    for (int k = 0; k < mi * n; k++)
        C[k] = value(&r);
    for (int k = 0; k < mi; k++)
        d[k] = value(&r);
    dqp_dense Pd = {n, n, n, P}, Ad = {me, n, n, A}, Cd = {mi, n, n, C};
    dqp_problem_data data_in = {.n = n, .P_dense = &Pd, .q = q};
    if (me) {
        data_in.A_dense = &Ad;
        data_in.b = b;
        data_in.m_eq = me;
    }
    if (mi) {
        data_in.C_dense = &Cd;
        data_in.d = d;
        data_in.m_ineq = mi;
    }
    dqp_problem *prob = dqp_problem_create();
    if (!prob || dqp_problem_set(prob, &data_in) != DQP_OK) {
        dqp_problem_destroy(prob);
        return 0;
    }
    static const char *const solvers[] = {"dense_as", "ipm", "admm", "auto"};
    dqp_settings s;
    dqp_settings_default(&s);
    dqp_settings_set(&s, "qp_solver", solvers[(flags >> 1) % 4], NULL);
    s.check_PSD = (flags >> 3) & 1;
    s.refine_active = (flags >> 4) & 1;
    s.normalize_constraints = (flags >> 5) & 1;
    s.weak_active = (flags >> 6) & 1 ? DQP_WEAK_DROP : DQP_WEAK_KEEP;
    s.max_iter = 200;
    s.time_limit = 0.5;
    dqp_solver *h = NULL;
    if (dqp_solver_create(&h, &s, NULL) == DQP_OK && dqp_solver_solve(h, prob) == DQP_OK) {
        double gz[6] = {1, -1, 1, -1, 1, -1}, gmu[7] = {1, 1, 1, 1, 1, 1, 1};
        double dP[36], dq[6], dA[18], db[3], dC[42], dd[7], dz[6], dl[3], dm[7], J[16 * 6];
        dqp_grad g = {dP, dq, dA, db, dC, dd};
        (void)dqp_solver_vjp(h, gz, NULL, gmu, &g);
        dqp_dir dir = {P, q, A, b, C, d};
        (void)dqp_solver_jvp(h, &dir, dz, dl, dm);
        (void)dqp_solver_jacobian(h, 'q', J);
    }
    dqp_solver_destroy(h);
    dqp_problem_destroy(prob);
    return 0;
}
