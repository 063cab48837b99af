/* replay.c - runs a libFuzzer entry point over the files of directories
 * (the seed corpus and saved regressions) without libFuzzer, so that every
 * ordinary and sanitizer build re-checks them. Ends with "N passed, N failed". */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;
    uint8_t chunk[4096];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got > cap) {
            cap = 2 * (len + got);
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return 0;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, got);
        len += got;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf ? buf : (const uint8_t *)"", len);
    free(buf);
    return 1;
}

int main(int argc, char **argv) {
    int passed = 0, failed = 0;
    for (int a = 1; a < argc; a++) {
        DIR *d = opendir(argv[a]);
        if (!d)
            continue; /* a missing regressions folder means none saved yet */
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], e->d_name);
            if (run_file(path))
                passed++; /* a crash would abort the process (sanitizers) */
            else {
                fprintf(stderr, "cannot read %s\n", path);
                failed++;
            }
        }
        closedir(d);
    }
    if (passed == 0)
        failed++; /* an empty corpus means the test checked nothing */
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
