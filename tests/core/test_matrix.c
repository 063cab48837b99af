/* test_matrix.c - CSC create/wrap/copy/validate and dense validation. */
#include "core/internal.h"
#include "runner.h"

#include <math.h>

/* 3x3:  [1 0 4; 0 3 0; 2 0 5] */
static int64_t P3[] = {0, 2, 3, 5};
static int64_t I3[] = {0, 2, 1, 0, 2};
static double X3[] = {1, 2, 3, 4, 5};

static void test_create_copy_free(void) {
    dqp_csc *A = dqp_csc_create(3, 3, 5);
    CHECK(A != NULL);
    CHECK_INT(A->owned, 1);
    CHECK_INT(A->p[3], 0); /* zeroed pointers */
    memcpy(A->p, P3, sizeof P3);
    memcpy(A->i, I3, sizeof I3);
    memcpy(A->x, X3, sizeof X3);
    CHECK_INT(dqp_csc_nnz(A), 5);
    CHECK_INT(dqp_csc_validate(A, "A", NULL), DQP_OK);
    dqp_csc *B = dqp_csc_copy(A);
    CHECK(B != NULL && B != A && B->x != A->x);
    CHECK_INT(B->i[4], 2);
    CHECK_NEAR(B->x[3], 4.0, 0.0);
    dqp_csc_free(A);
    dqp_csc_free(B);
    dqp_csc_free(NULL);
    CHECK(dqp_csc_create(-1, 3, 0) == NULL);
    CHECK(dqp_csc_create(3, 3, -5) == NULL);
    CHECK(dqp_csc_create(3, INT64_MAX, 0) == NULL);
    CHECK(dqp_csc_create(INT64_MAX / 2, INT64_MAX / 4, INT64_MAX / 2) == NULL);
}

static void test_wrap_borrows(void) {
    int64_t p[4], i[5];
    double x[5];
    memcpy(p, P3, sizeof p);
    memcpy(i, I3, sizeof i);
    memcpy(x, X3, sizeof x);
    dqp_csc *A = dqp_csc_wrap(3, 3, p, i, x);
    CHECK(A != NULL);
    CHECK_INT(A->owned, 0);
    CHECK(A->x == x);
    x[0] = 7.0; /* borrowed: the wrapper sees the caller's change */
    CHECK_NEAR(A->x[0], 7.0, 0.0);
    dqp_csc_free(A); /* must not free x (ASan would catch) */
    CHECK_NEAR(x[0], 7.0, 0.0);
}

/* Validate a copy of the 3x3 matrix after one mutation. */
static dqp_status validate_mut(int which, dqp_message *msg) {
    int64_t p[4], i[5];
    double x[5];
    memcpy(p, P3, sizeof p);
    memcpy(i, I3, sizeof i);
    memcpy(x, X3, sizeof x);
    int64_t m = 3, n = 3;
    switch (which) {
    case 0: i[1] = 3; break;        /* row out of range */
    case 1: i[1] = -1; break;       /* negative row */
    case 2: p[1] = 4; break;        /* pointers not monotone (p[1] > p[2]) */
    case 3: i[0] = 2; i[1] = 0; break; /* unsorted */
    case 4: i[1] = 0; break;        /* duplicate */
    case 5: x[2] = NAN; break;
    case 6: x[4] = -INFINITY; break;
    case 7: p[0] = 1; break;
    case 8: m = -2; break;
    default: break;
    }
    dqp_csc A = {m, n, p, i, x, 0};
    return dqp_csc_validate(&A, "C", msg);
}

static void test_validate_defects(void) {
    dqp_message msg;
    CHECK_INT(validate_mut(-1, &msg), DQP_OK);
    CHECK_INT(validate_mut(0, &msg), DQP_ERR_INDEX);
    CHECK_STR_CONTAINS(msg.text, "C: row index 3 out of range [0, 3) in column 0");
    CHECK_INT(validate_mut(1, &msg), DQP_ERR_INDEX);
    CHECK_STR_CONTAINS(msg.text, "row index -1");
    CHECK_INT(validate_mut(2, &msg), DQP_ERR_POINTERS);
    CHECK_STR_CONTAINS(msg.text, "p[1] = 4 > p[2] = 3");
    CHECK_INT(validate_mut(3, &msg), DQP_ERR_UNSORTED);
    CHECK_STR_CONTAINS(msg.text, "column 0");
    CHECK_INT(validate_mut(4, &msg), DQP_ERR_DUPLICATE);
    CHECK_STR_CONTAINS(msg.text, "duplicate row index 0 in column 0");
    CHECK_INT(validate_mut(5, &msg), DQP_ERR_NONFINITE);
    CHECK_STR_CONTAINS(msg.text, "row 1, column 1");
    CHECK_INT(validate_mut(6, &msg), DQP_ERR_NONFINITE);
    CHECK_INT(validate_mut(7, &msg), DQP_ERR_POINTERS);
    CHECK_INT(validate_mut(8, &msg), DQP_ERR_DIMENSION);
    CHECK_STR_CONTAINS(msg.text, "negative dimension");
    CHECK_INT(dqp_csc_validate(NULL, "A", &msg), DQP_ERR_NULL);
    /* nnz whose byte size overflows */
    int64_t p[2] = {0, INT64_MAX / 4};
    dqp_csc big = {5, 1, p, NULL, NULL, 0};
    CHECK_INT(dqp_csc_validate(&big, "A", &msg), DQP_ERR_DIMENSION);
    CHECK_STR_CONTAINS(msg.text, "overflows");
    /* NULL arrays with entries */
    int64_t p2[2] = {0, 1};
    dqp_csc noarr = {5, 1, p2, NULL, NULL, 0};
    CHECK_INT(dqp_csc_validate(&noarr, "A", &msg), DQP_ERR_NULL);
    /* empty matrices are valid */
    int64_t p0[1] = {0};
    dqp_csc empty = {0, 0, p0, NULL, NULL, 0};
    CHECK_INT(dqp_csc_validate(&empty, "A", &msg), DQP_OK);
}

static void test_dense_validate(void) {
    double x[6] = {1, 2, 3, 4, 5, 6};
    dqp_message msg;
    dqp_dense D = {2, 3, 3, x};
    CHECK_INT(dqp_dense_validate(&D, "A", &msg), DQP_OK);
    dqp_dense strided = {2, 2, 3, x};
    CHECK_INT(dqp_dense_validate(&strided, "A", &msg), DQP_OK);
    dqp_dense badld = {2, 3, 2, x};
    CHECK_INT(dqp_dense_validate(&badld, "A", &msg), DQP_ERR_DIMENSION);
    CHECK_STR_CONTAINS(msg.text, "leading dimension 2 < n = 3");
    x[4] = NAN;
    CHECK_INT(dqp_dense_validate(&D, "C", &msg), DQP_ERR_NONFINITE);
    CHECK_STR_CONTAINS(msg.text, "C: non-finite value nan at (1, 1)");
    /* x[4] is (1,1) with ld 3; with ld 3 and n = 1 it is not read */
    dqp_dense narrow = {2, 1, 3, x};
    CHECK_INT(dqp_dense_validate(&narrow, "C", &msg), DQP_OK);
    dqp_dense huge = {INT64_MAX / 2, 4, 4, x};
    CHECK_INT(dqp_dense_validate(&huge, "C", &msg), DQP_ERR_DIMENSION);
    dqp_dense neg = {-1, 4, 4, x};
    CHECK_INT(dqp_dense_validate(&neg, "C", &msg), DQP_ERR_DIMENSION);
}

static void test_size_arith_and_status(void) {
    int64_t r = -1;
    CHECK_INT(dqp_mul_size(INT64_MAX, 2, &r), 0);
    CHECK_INT(r, -1);
    CHECK_INT(dqp_mul_size(-1, 2, &r), 0);
    CHECK_INT(dqp_mul_size(1 << 20, 1 << 20, &r), 1);
    CHECK_INT(r, (int64_t)1 << 40);
    CHECK_INT(dqp_add_size(INT64_MAX, 1, &r), 0);
    CHECK(dqp_alloc(INT64_MAX, 8) == NULL);
    void *z = dqp_alloc(0, 8);
    CHECK(z != NULL);
    dqp_free(z);
    for (int s = 0; s <= DQP_ERR_NOT_CONVEX; s++)
        CHECK(strncmp(dqp_status_string((dqp_status)s), "DQP_", 4) == 0);
    CHECK_STR_CONTAINS(dqp_status_string((dqp_status)999), "unknown");
    CHECK_STR_CONTAINS(dqp_version(), ".");
}

int main(void) {
    RUN(test_create_copy_free);
    RUN(test_wrap_borrows);
    RUN(test_validate_defects);
    RUN(test_dense_validate);
    RUN(test_size_arith_and_status);
    return runner_finish();
}
