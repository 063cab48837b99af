/* test_settings.c - defaults, name-based get/set, errors, keywords. */
#include "core/internal.h"
#include "runner.h"

#include <math.h>

static void test_defaults(void) {
    dqp_settings s;
    dqp_settings_default(&s);
    CHECK(strcmp(s.qp_solver, "auto") == 0);
    CHECK(strcmp(s.lin_solver, "auto") == 0);
    CHECK_INT(s.solve_type, DQP_SOLVE_AUTO);
    CHECK_NEAR(s.eps_abs, 1e-8, 0.0);
    CHECK_NEAR(s.eps_rel, 1e-8, 0.0);
    CHECK_NEAR(s.eps_active, 1e-5, 0.0);
    CHECK_INT(s.dual_available, 1);
    CHECK_INT(s.max_iter, 0);
    CHECK(isinf(s.time_limit));
    CHECK(s.log == NULL);
    CHECK_INT(dqp_settings_validate(&s, NULL), DQP_OK);
}

static void test_every_name_round_trips(void) {
    dqp_settings s, t;
    dqp_settings_default(&s);
    dqp_settings_default(&t);
    CHECK_INT(dqp_settings_count(), 20);
    CHECK(dqp_settings_name(-1) == NULL);
    CHECK(dqp_settings_name(dqp_settings_count()) == NULL);
    for (int i = 0; i < dqp_settings_count(); i++) {
        const char *name = dqp_settings_name(i);
        char buf[DQP_KEYWORDS_LEN];
        CHECK(dqp_settings_help(name) != NULL);
        CHECK_INT(dqp_settings_get(&s, name, buf, sizeof buf, NULL), DQP_OK);
        CHECK_INT(dqp_settings_set(&t, name, buf, NULL), DQP_OK);
    }
    CHECK(memcmp(&s, &t, sizeof s) == 0);
}

static void test_set_values(void) {
    dqp_settings s;
    dqp_message msg;
    char buf[64];
    dqp_settings_default(&s);
    CHECK_INT(dqp_settings_set(&s, "eps_active", "2.5e-7", &msg), DQP_OK);
    CHECK_NEAR(s.eps_active, 2.5e-7, 0.0);
    CHECK_INT(dqp_settings_set(&s, "eps_abs", "0.1", &msg), DQP_OK);
    CHECK_INT(dqp_settings_get(&s, "eps_abs", buf, sizeof buf, &msg), DQP_OK);
    CHECK(strcmp(buf, "0.10000000000000001") == 0); /* %.17g: exact round trip */
    CHECK_INT(dqp_settings_set(&s, "solve_type", "dense", &msg), DQP_OK);
    CHECK_INT(s.solve_type, DQP_SOLVE_DENSE);
    CHECK_INT(dqp_settings_set(&s, "refine_active", "true", &msg), DQP_OK);
    CHECK_INT(s.refine_active, 1);
    CHECK_INT(dqp_settings_set(&s, "refine_active", "off", &msg), DQP_OK);
    CHECK_INT(s.refine_active, 0);
    CHECK_INT(dqp_settings_set(&s, "threads", "8", &msg), DQP_OK);
    CHECK_INT(s.threads, 8);
    CHECK_INT(dqp_settings_set(&s, "max_iter", "5000000000", &msg), DQP_OK);
    CHECK_INT(s.max_iter, 5000000000LL);
    CHECK_INT(dqp_settings_set(&s, "time_limit", "inf", &msg), DQP_OK);
    CHECK(isinf(s.time_limit));
    CHECK_INT(dqp_settings_set(&s, "time_limit", "2.5", &msg), DQP_OK);
    CHECK_NEAR(s.time_limit, 2.5, 0.0);
    CHECK_INT(dqp_settings_set(&s, "qp_solver", "ipm", &msg), DQP_OK);
    CHECK(strcmp(s.qp_solver, "ipm") == 0);
    CHECK_INT(dqp_settings_set(&s, "weak_active", "drop", &msg), DQP_OK);
    CHECK_INT(s.weak_active, DQP_WEAK_DROP);
    CHECK_INT(dqp_settings_set(&s, "weak_active", "both", &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "weak_active: \"both\" is not one of keep, drop");
    CHECK_INT(dqp_settings_set(&s, "check_PSD", "1", &msg), DQP_OK);
    CHECK_INT(s.check_PSD, 1);
}

static void test_errors(void) {
    dqp_settings s, before;
    dqp_message msg;
    dqp_settings_default(&s);
    before = s;
    CHECK_INT(dqp_settings_set(&s, "eps_actve", "1", &msg), DQP_ERR_UNKNOWN_NAME);
    CHECK_STR_CONTAINS(msg.text, "unknown setting \"eps_actve\"; valid: qp_solver, lin_solver");
    CHECK_STR_CONTAINS(msg.text, "time_limit"); /* the whole list fits */
    CHECK_INT(dqp_settings_set(&s, "eps_active", "0", &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "eps_active: value \"0\" out of range (0, inf]");
    CHECK_INT(dqp_settings_set(&s, "eps_active", "-1e-3", &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "eps_active", "abc", &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "not a number");
    CHECK_INT(dqp_settings_set(&s, "eps_abs", "nan", &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "eps_rel", "1e-3x", &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "threads", "-2", &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "threads", "2.5", &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "not an integer");
    CHECK_INT(dqp_settings_set(&s, "verbose", "3", &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "time_limit", "0", &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "refine_active", "maybe", &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "not a boolean");
    CHECK_INT(dqp_settings_set(&s, "solve_type", "sparce", &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "auto, dense, sparse");
    CHECK_INT(dqp_settings_set(&s, "qp_solver", "", &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "qp_solver", "a b", &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "qp_solver", "abcdefghijabcdefghijabcdefghijabcdefghij", &msg),
              DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "qp_solver_keywords", "rho=0.1 sigma", &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "entry \"sigma\" is not key=value");
    CHECK_INT(dqp_settings_set(&s, "qp_solver_keywords", "=3", &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(NULL, "eps_abs", "1", &msg), DQP_ERR_NULL);
    CHECK(memcmp(&s, &before, sizeof s) == 0); /* unchanged by failures */
    char tiny[3];
    CHECK_INT(dqp_settings_get(&s, "eps_abs", tiny, sizeof tiny, &msg), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_get(&s, "nope", tiny, sizeof tiny, &msg), DQP_ERR_UNKNOWN_NAME);
    /* hand-filled structs */
    s.eps_abs = -1;
    CHECK_INT(dqp_settings_validate(&s, &msg), DQP_ERR_VALUE);
    CHECK_STR_CONTAINS(msg.text, "eps_abs");
    s = before;
    s.refine_active = 7;
    CHECK_INT(dqp_settings_validate(&s, &msg), DQP_ERR_VALUE);
    s = before;
    s.solve_type = (dqp_solve_type)3;
    CHECK_INT(dqp_settings_validate(&s, &msg), DQP_ERR_VALUE);
    s = before;
    s.eps_active = NAN;
    CHECK_INT(dqp_settings_validate(&s, &msg), DQP_ERR_VALUE);
}

static void log_sink(void *user, dqp_log_level level, const char *message) {
    (void)level;
    (void)message;
    (*(int *)user)++;
}

static void test_binding_helpers(void) {
    dqp_settings s;
    int calls = 0;
    dqp_settings_default(&s);
    CHECK_INT(dqp_settings_size(), sizeof(dqp_settings));
    CHECK(strcmp(dqp_settings_type("eps_abs"), "double") == 0);
    CHECK(strcmp(dqp_settings_type("refine_active"), "bool") == 0);
    CHECK(strcmp(dqp_settings_type("solve_type"), "enum") == 0);
    CHECK(strcmp(dqp_settings_type("max_iter"), "int64") == 0);
    CHECK(strcmp(dqp_settings_type("qp_solver"), "name") == 0);
    CHECK(strcmp(dqp_settings_type("qp_solver_keywords"), "keywords") == 0);
    CHECK(dqp_settings_type("nope") == NULL);
    dqp_settings_set_log(&s, log_sink, &calls);
    CHECK(s.log == log_sink && s.log_user == &calls);
    s.log(s.log_user, DQP_LOG_INFO, "x");
    CHECK_INT(calls, 1);
}

static void test_keywords(void) {
    dqp_settings s;
    char k[32], v[32];
    dqp_settings_default(&s);
    CHECK_INT(dqp_settings_keyword(&s, 0, k, sizeof k, v, sizeof v), DQP_ERR_VALUE);
    CHECK_INT(dqp_settings_set(&s, "qp_solver_keywords", "rho=0.1, sigma=1e-6 adaptive=yes", NULL),
              DQP_OK);
    CHECK_INT(dqp_settings_keyword(&s, 0, k, sizeof k, v, sizeof v), DQP_OK);
    CHECK(strcmp(k, "rho") == 0 && strcmp(v, "0.1") == 0);
    CHECK_INT(dqp_settings_keyword(&s, 1, k, sizeof k, v, sizeof v), DQP_OK);
    CHECK(strcmp(k, "sigma") == 0 && strcmp(v, "1e-6") == 0);
    CHECK_INT(dqp_settings_keyword(&s, 2, k, sizeof k, v, sizeof v), DQP_OK);
    CHECK(strcmp(k, "adaptive") == 0 && strcmp(v, "yes") == 0);
    CHECK_INT(dqp_settings_keyword(&s, 3, k, sizeof k, v, sizeof v), DQP_ERR_VALUE);
}

int main(void) {
    RUN(test_defaults);
    RUN(test_every_name_round_trips);
    RUN(test_set_values);
    RUN(test_errors);
    RUN(test_keywords);
    RUN(test_binding_helpers);
    return runner_finish();
}
