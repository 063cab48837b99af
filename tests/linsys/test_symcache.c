/* test_symcache.c - symbolic analyses shared through a dqp_symcache: hit and
 * miss counts, and factors/solves bit-identical to a fresh analysis. */
#include "linsys/kkt.h"
#include "runner.h"

#include <stdlib.h>

/* H (n x n upper): diagonal + superdiagonal; G (m x n): row i has columns i
 * and (3 i + shift) mod n. shift changes the pattern of G. Values from seed. */
typedef struct fixture {
    int64_t n, m;
    dqp_csc *H, *G;
    double *D;
} fixture;

static double unif(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) * 0x1.0p-53;
}

static fixture make(int64_t n, int64_t m, int64_t shift, uint64_t seed) {
    fixture f = {n, m, NULL, NULL, NULL};
    f.H = dqp_csc_create(n, n, 2 * n);
    int64_t nz = 0;
    for (int64_t j = 0; j < n; j++) {
        f.H->p[j] = nz;
        if (j > 0) {
            f.H->i[nz] = j - 1;
            f.H->x[nz++] = unif(&seed) - 0.5;
        }
        f.H->i[nz] = j;
        f.H->x[nz++] = 2.0 + unif(&seed);
    }
    f.H->p[n] = nz;
    /* G by columns: entry (i, j) when j == i or j == (3 i + shift) % n */
    f.G = dqp_csc_create(m, n, 2 * m);
    nz = 0;
    for (int64_t j = 0; j < n; j++) {
        f.G->p[j] = nz;
        for (int64_t i = 0; i < m; i++)
            if (j == i || j == (3 * i + shift) % n) {
                f.G->i[nz] = i;
                f.G->x[nz++] = 0.5 + unif(&seed);
            }
    }
    f.G->p[n] = nz;
    f.D = calloc((size_t)m, sizeof(double));
    for (int64_t i = 0; i < m; i++)
        f.D[i] = 1e-3 * unif(&seed);
    return f;
}

static void fixture_free(fixture *f) {
    dqp_csc_free(f->H);
    dqp_csc_free(f->G);
    free(f->D);
}

static dqp_kkt *create(const fixture *f, const char *backend, int *shared) {
    dqp_kkt *k = NULL;
    dqp_message msg = {{0}};
    CHECK_INT(dqp_kkt_create(&k, backend, f->n, f->m, f->H, f->G, f->D, NULL, &msg), DQP_OK);
    dqp_kkt_info info;
    dqp_kkt_get_info(k, &info);
    *shared = info.symbolic_shared;
    return k;
}

/* Factor and solve 3 right-hand sides; x receives the solutions. */
static void factor_solve(dqp_kkt *k, int64_t N, double *x) {
    CHECK_INT(dqp_kkt_factor(k), DQP_OK);
    for (int64_t p = 0; p < 3 * N; p++)
        x[p] = (double)((p * 7919) % 23) - 11.0;
    CHECK_INT(dqp_kkt_solve(k, x, 3), DQP_OK);
}

static void test_hit_miss_bit_identical(void) {
    const int64_t n = 40, m = 25, N = n + m;
    fixture a1 = make(n, m, 5, 11), a2 = make(n, m, 5, 22), b = make(n, m, 6, 33);
    double *x_ref = malloc(3 * N * sizeof(double)), *x = malloc(3 * N * sizeof(double));
    int shared = -1;
    /* reference: a2 without any cache */
    CHECK(dqp_symcache_current() == NULL);
    dqp_kkt *ref = create(&a2, "ldl", &shared);
    CHECK_INT(shared, 0);
    factor_solve(ref, N, x_ref);

    dqp_symcache *c = dqp_symcache_create();
    CHECK(c != NULL);
    dqp_symcache *prev = dqp_symcache_scope_enter(c);
    CHECK(prev == NULL);
    CHECK(dqp_symcache_current() == c);
    dqp_kkt *k1 = create(&a1, "ldl", &shared);
    CHECK_INT(shared, 0);
    dqp_kkt *k2 = create(&a2, "ldl", &shared);
    CHECK_INT(shared, 1);
    int64_t hits = -1, misses = -1;
    dqp_symcache_stats(c, &hits, &misses);
    CHECK_INT(hits, 1);
    CHECK_INT(misses, 1);
    /* different pattern of G: a miss */
    dqp_kkt *k3 = create(&b, "ldl", &shared);
    CHECK_INT(shared, 0);
    dqp_symcache_stats(c, &hits, &misses);
    CHECK_INT(hits, 1);
    CHECK_INT(misses, 2);
    /* backend without clone_symbolic: not looked up, not counted */
    dqp_kkt *k4 = create(&a2, "lapack", &shared);
    CHECK_INT(shared, 0);
    dqp_symcache_stats(c, &hits, &misses);
    CHECK_INT(hits, 1);
    CHECK_INT(misses, 2);
    dqp_symcache_scope_leave(prev);
    CHECK(dqp_symcache_current() == NULL);
    /* the clone does not depend on the cache's donors */
    dqp_symcache_destroy(c);

    factor_solve(k2, N, x);
    CHECK(memcmp(x, x_ref, (size_t)(3 * N) * sizeof(double)) == 0);
    dqp_kkt_info i_ref, i2;
    dqp_kkt_get_info(ref, &i_ref);
    dqp_kkt_get_info(k2, &i2);
    CHECK_INT(i2.npos, i_ref.npos);
    CHECK_INT(i2.nneg, i_ref.nneg);
    CHECK_INT(i2.refine_steps, i_ref.refine_steps);
    CHECK(memcmp(&i2.residual, &i_ref.residual, sizeof(double)) == 0);
    CHECK_INT(i2.npos, n);
    CHECK_INT(i2.nneg, m);
    /* new values on the cloned object: still identical to the reference */
    CHECK_INT(dqp_kkt_update(k2, a1.H->x, a1.G->x, a1.D), DQP_OK);
    CHECK_INT(dqp_kkt_update(ref, a1.H->x, a1.G->x, a1.D), DQP_OK);
    factor_solve(k2, N, x);
    factor_solve(ref, N, x_ref);
    CHECK(memcmp(x, x_ref, (size_t)(3 * N) * sizeof(double)) == 0);
    /* and the donor's first user (the miss) solves correctly too */
    factor_solve(k1, N, x);
    CHECK(memcmp(x, x_ref, (size_t)(3 * N) * sizeof(double)) == 0);
    factor_solve(k3, N, x);
    factor_solve(k4, N, x);

    dqp_kkt_destroy(ref);
    dqp_kkt_destroy(k1);
    dqp_kkt_destroy(k2);
    dqp_kkt_destroy(k3);
    dqp_kkt_destroy(k4);
    free(x);
    free(x_ref);
    fixture_free(&a1);
    fixture_free(&a2);
    fixture_free(&b);
}

/* The same upper-triangle pattern of K read as n = 2, m = 1 (G = [1 0]) and
 * as n = 3, m = 0 (H with entry (0, 2)): not the same KKT system, a miss. */
static void test_dimensions_in_key(void) {
    int64_t Hp2[3] = {0, 1, 2}, Hi2[2] = {0, 1}, Gp[3] = {0, 1, 1}, Gi[1] = {0};
    double Hx2[2] = {2, 3}, Gx[1] = {1};
    int64_t Hp3[4] = {0, 1, 2, 4}, Hi3[4] = {0, 1, 0, 2};
    double Hx3[4] = {2, 3, 0.5, 4};
    dqp_csc H2 = {2, 2, Hp2, Hi2, Hx2, 0}, G = {1, 2, Gp, Gi, Gx, 0}, H3 = {3, 3, Hp3, Hi3, Hx3, 0};
    dqp_symcache *c = dqp_symcache_create();
    dqp_symcache *prev = dqp_symcache_scope_enter(c);
    dqp_kkt *k1 = NULL, *k2 = NULL, *k3 = NULL, *k0 = NULL;
    dqp_kkt_info info;
    CHECK_INT(dqp_kkt_create(&k1, "ldl", 2, 1, &H2, &G, NULL, NULL, NULL), DQP_OK);
    CHECK_INT(dqp_kkt_create(&k2, "ldl", 3, 0, &H3, NULL, NULL, NULL, NULL), DQP_OK);
    dqp_kkt_get_info(k2, &info);
    CHECK_INT(info.symbolic_shared, 0);
    CHECK_INT(dqp_kkt_create(&k3, "ldl", 2, 1, &H2, &G, NULL, NULL, NULL), DQP_OK);
    dqp_kkt_get_info(k3, &info);
    CHECK_INT(info.symbolic_shared, 1);
    /* N = 0: no analysis, not counted */
    CHECK_INT(dqp_kkt_create(&k0, "ldl", 0, 0, NULL, NULL, NULL, NULL, NULL), DQP_OK);
    int64_t hits, misses;
    dqp_symcache_stats(c, &hits, &misses);
    CHECK_INT(hits, 1);
    CHECK_INT(misses, 2);
    dqp_symcache_scope_leave(prev);
    dqp_symcache_destroy(c);
    double x[3] = {1, 2, 3};
    CHECK_INT(dqp_kkt_factor(k3), DQP_OK);
    CHECK_INT(dqp_kkt_solve(k3, x, 1), DQP_OK);
    /* K = [2 0 1; 0 3 0; 1 0 0]: x = (3, 2/3, -5) */
    CHECK_NEAR(x[0], 3.0, 1e-12);
    CHECK_NEAR(x[1], 2.0 / 3.0, 1e-12);
    CHECK_NEAR(x[2], -5.0, 1e-12);
    dqp_kkt_destroy(k0);
    dqp_kkt_destroy(k1);
    dqp_kkt_destroy(k2);
    dqp_kkt_destroy(k3);
}

int main(void) {
    RUN(test_hit_miss_bit_identical);
    RUN(test_dimensions_in_key);
    return runner_finish();
}
