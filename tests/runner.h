/* runner.h - dqp's small C test runner (header only).
 *
 *   static void test_something(void) {
 *       CHECK(x > 0);
 *       CHECK_INT(status, DQP_OK);
 *       CHECK_NEAR(value, 1.0, 1e-12);       // |a-b| <= tol
 *       CHECK_REL(value, 1.0, 1e-8);         // |a-b| <= tol * max(1, |b|)
 *       CHECK_STR_CONTAINS(msg, "row 17");
 *   }
 *   int main(void) { RUN(test_something); return runner_finish(); }
 *
 * Checks keep going after a failure and print file:line with the compared
 * values. A test passes when none of its checks failed. SKIP(reason) marks
 * the running test skipped (printed with its reason, counted). The binary
 * ends with the line "N passed, N failed, N skipped" and exits non-zero when
 * anything failed. */
#ifndef DQP_TEST_RUNNER_H
#define DQP_TEST_RUNNER_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct runner_state {
    int passed, failed, skipped;
    int cur_failed, cur_skipped;
    long checks;
    const char *cur_name;
} runner_state;

static runner_state runner_g; /* test-process state; the library has none */

static inline void runner_fail_(const char *file, int line) {
    if (!runner_g.cur_failed)
        fprintf(stderr, "FAIL %s\n", runner_g.cur_name ? runner_g.cur_name : "(no test)");
    runner_g.cur_failed = 1;
    fprintf(stderr, "  %s:%d: ", file, line);
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        runner_g.checks++;                                                                         \
        if (!(cond)) {                                                                             \
            runner_fail_(__FILE__, __LINE__);                                                      \
            fprintf(stderr, "check failed: %s\n", #cond);                                          \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        runner_g.checks++;                                                                         \
        if (a_ != b_) {                                                                            \
            runner_fail_(__FILE__, __LINE__);                                                      \
            fprintf(stderr, "%s == %s: %lld != %lld\n", #a, #b, a_, b_);                           \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);                             \
        runner_g.checks++;                                                                         \
        if (!(fabs(a_ - b_) <= t_)) {                                                              \
            runner_fail_(__FILE__, __LINE__);                                                      \
            fprintf(stderr, "%s ~ %s: %.17g vs %.17g (diff %.3g > tol %.3g)\n", #a, #b, a_, b_,    \
                    fabs(a_ - b_), t_);                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_REL(a, b, tol)                                                                       \
    do {                                                                                           \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);                             \
        double s_ = fabs(b_) > 1.0 ? fabs(b_) : 1.0;                                               \
        runner_g.checks++;                                                                         \
        if (!(fabs(a_ - b_) <= t_ * s_)) {                                                         \
            runner_fail_(__FILE__, __LINE__);                                                      \
            fprintf(stderr, "%s ~ %s: %.17g vs %.17g (rel diff %.3g > tol %.3g)\n", #a, #b, a_,    \
                    b_, fabs(a_ - b_) / s_, t_);                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                            \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        runner_g.checks++;                                                                         \
        if (!h_ || !strstr(h_, n_)) {                                                              \
            runner_fail_(__FILE__, __LINE__);                                                      \
            fprintf(stderr, "\"%s\" does not contain \"%s\"\n", h_ ? h_ : "(null)", n_);           \
        }                                                                                          \
    } while (0)

#define SKIP(reason)                                                                               \
    do {                                                                                           \
        fprintf(stderr, "SKIP %s: %s\n", runner_g.cur_name, (reason));                            \
        runner_g.cur_skipped = 1;                                                                  \
        return;                                                                                    \
    } while (0)

static inline void runner_run_(void (*fn)(void), const char *name) {
    runner_g.cur_name = name;
    runner_g.cur_failed = 0;
    runner_g.cur_skipped = 0;
    fn();
    if (runner_g.cur_failed)
        runner_g.failed++;
    else if (runner_g.cur_skipped)
        runner_g.skipped++;
    else
        runner_g.passed++;
    fflush(stderr);
}

#define RUN(fn) runner_run_(fn, #fn)

static inline int runner_finish(void) {
    printf("%ld checks\n", runner_g.checks);
    if (runner_g.skipped)
        printf("%d passed, %d failed, %d skipped\n", runner_g.passed, runner_g.failed,
               runner_g.skipped);
    else
        printf("%d passed, %d failed\n", runner_g.passed, runner_g.failed);
    return runner_g.failed ? 1 : 0;
}

#endif
