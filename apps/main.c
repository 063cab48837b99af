/* main.c - the dqp command line (grows with later issues). */
#include "dqp.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out, "usage: dqp <command> [options]\n"
                 "commands:\n"
                 "  info FILE     read a QPS/MPS file and print its sizes\n"
                 "  settings      list every setting with its default and meaning\n"
                 "  --version     print the version\n"
                 "  --help        this text\n");
}

static int cmd_info(const char *path) {
    dqp_qps *qps = dqp_qps_create();
    if (!qps) {
        fprintf(stderr, "dqp: out of memory\n");
        return 1;
    }
    dqp_status st = dqp_qps_read_file(qps, path);
    if (st != DQP_OK) {
        fprintf(stderr, "dqp: %s\n", dqp_qps_last_error(qps));
        dqp_qps_destroy(qps);
        return 1;
    }
    const dqp_problem *p = dqp_qps_problem(qps);
    printf("name %s\nfile: cols %lld rows %lld nnz %lld\ncanonical: n %lld m_eq %lld m_ineq %lld\n",
           dqp_qps_name(qps), (long long)dqp_qps_file_cols(qps), (long long)dqp_qps_file_rows(qps),
           (long long)dqp_qps_file_nnz(qps), (long long)dqp_problem_n(p),
           (long long)dqp_problem_m_eq(p), (long long)dqp_problem_m_ineq(p));
    dqp_qps_destroy(qps);
    return 0;
}

static int cmd_settings(void) {
    dqp_settings s;
    dqp_settings_default(&s);
    for (int i = 0; i < dqp_settings_count(); i++) {
        char buf[DQP_KEYWORDS_LEN];
        const char *name = dqp_settings_name(i);
        if (dqp_settings_get(&s, name, buf, sizeof buf, NULL) != DQP_OK)
            return 1;
        printf("%-26s %-8s %s\n", name, buf, dqp_settings_help(name));
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0) {
        printf("dqp %s\n", dqp_version());
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "settings") == 0)
        return cmd_settings();
    if (strcmp(cmd, "info") == 0 && argc == 3)
        return cmd_info(argv[2]);
    fprintf(stderr, "dqp: unknown command or arguments: %s\n", cmd);
    usage(stderr);
    return 2;
}
