/* svg.c - the bar chart of `dqp bench --svg`: standalone SVG 1.1 (valid
 * XML, opens in any browser). One group of bars per solver; in each group,
 * per tolerance, a solid bar (mean solve time) and a light bar (mean
 * backward time: derivative setup + one VJP) on a logarithmic time axis,
 * whiskers of +- one standard deviation, and above each pair the decimal
 * exponent of the relative error of z against the reference solve
 * ("eN", or "exact", or the status when no repeat was solved). */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <string.h>

void svg_write_escaped(FILE *f, const char *s) {
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            /* XML 1.0 forbids most control characters; the file is UTF-8. */
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
                fputc('?', f);
            } else if (*p < 0x80) {
                fputc(*p, f);
            } else {
                int len = cli_utf8_len(p);
                if (len) {
                    fwrite(p, 1, (size_t)len, f);
                    p += len - 1;
                } else {
                    fputc('?', f);
                }
            }
        }
    }
}

static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                      "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

/* Label above a bar pair: exponent of the error, or the failure. */
static void error_label(const bench_cell *c, char *buf, size_t len) {
    if (c->solved == 0) {
        snprintf(buf, len, "%s", c->status ? c->status : "failed");
        return;
    }
    if (!isfinite(c->rel_err)) {
        snprintf(buf, len, "n/a");
        return;
    }
    if (c->rel_err <= 0.0) {
        snprintf(buf, len, "exact");
        return;
    }
    snprintf(buf, len, "e%d", (int)floor(log10(c->rel_err)));
}

int svg_write_bench(const char *path, const char *title, const bench_cell *cells, int nsolvers,
                    int ntols) {
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_err("cannot write '%s'", path);
        return 0;
    }
    /* Time range over everything drawn. */
    double tmin = INFINITY, tmax = 0.0;
    for (int k = 0; k < nsolvers * ntols; k++) {
        const bench_cell *c = &cells[k];
        double v[2] = {c->solve_mean, c->bwd_mean}, sd[2] = {c->solve_std, c->bwd_std};
        for (int t = 0; t < 2; t++)
            if (c->solved > 0 && isfinite(v[t]) && v[t] > 0.0) {
                tmin = fmin(tmin, v[t]);
                tmax = fmax(tmax, v[t] + (isfinite(sd[t]) ? sd[t] : 0.0));
            }
    }
    if (!(tmax > 0.0)) {
        tmin = 1e-6;
        tmax = 1e-3;
    }
    int lo = (int)floor(log10(tmin)), hi = (int)ceil(log10(tmax));
    if (hi <= lo)
        hi = lo + 1;

    const double barw = 16.0, pairgap = 6.0, groupgap = 36.0;
    const double x0 = 80.0, y0 = 60.0, ph = 300.0;
    double groupw = ntols * (2.0 * barw + pairgap) - pairgap;
    double width = x0 + nsolvers * (groupw + groupgap) + 20.0;
    if (width < 640.0)
        width = 640.0;
    double legend_y = y0 + ph + 50.0;
    double height = legend_y + 20.0 * (ntols + 2) + 20.0;
    double ybase = y0 + ph;
#define YPOS(t) (y0 + ph * ((double)hi - log10(t)) / (double)(hi - lo))

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" "
            "font-size=\"12\">\n",
            width, height, width, height);
    fprintf(f, "<title>");
    svg_write_escaped(f, title);
    fprintf(f, "</title>\n<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n",
            width, height);
    fprintf(f, "<text x=\"%.1f\" y=\"24\" font-size=\"15\" font-weight=\"bold\">", x0);
    svg_write_escaped(f, title);
    fprintf(f, "</text>\n");
    fprintf(f,
            "<text x=\"%.1f\" y=\"42\" fill=\"#444\">mean time per forward solve (solid) and "
            "backward pass (light), log scale</text>\n",
            x0);
    /* Grid and axis. */
    for (int e = lo; e <= hi; e++) {
        double y = YPOS(pow(10.0, e));
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x0,
                y, width - 10.0, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">1e%d s</text>\n", x0 - 6.0,
                y + 4.0, e);
    }
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", x0, y0,
            x0, ybase);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", x0,
            ybase, width - 10.0, ybase);
    fprintf(f,
            "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">time "
            "(s)</text>\n",
            y0 + ph / 2.0);

    for (int s = 0; s < nsolvers; s++) {
        double gx = x0 + groupgap / 2.0 + s * (groupw + groupgap);
        for (int t = 0; t < ntols; t++) {
            const bench_cell *c = &cells[s * ntols + t];
            const char *color = palette[t % 8];
            double px = gx + t * (2.0 * barw + pairgap);
            double top = ybase;
            double mean[2] = {c->solve_mean, c->bwd_mean}, sd[2] = {c->solve_std, c->bwd_std};
            for (int b = 0; b < 2 && c->solved > 0; b++) {
                if (!(isfinite(mean[b]) && mean[b] > 0.0))
                    continue;
                double y = YPOS(mean[b]), bx = px + b * barw;
                fprintf(f,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                        "fill-opacity=\"%s\" stroke=\"%s\"><title>",
                        bx, y, barw - 1.0, ybase - y, color, b ? "0.35" : "1", color);
                svg_write_escaped(f, c->solver);
                fprintf(f, " tol %g %s: %.3g s +- %.2g</title></rect>\n", c->tol,
                        b ? "backward" : "solve", mean[b], sd[b]);
                double hiv = mean[b] + (isfinite(sd[b]) ? sd[b] : 0.0);
                double lov = mean[b] - (isfinite(sd[b]) ? sd[b] : 0.0);
                double yh = YPOS(hiv), yl = lov > 0.0 ? YPOS(lov) : ybase;
                double cx = bx + (barw - 1.0) / 2.0;
                fprintf(f,
                        "<path d=\"M%.1f %.1f V%.1f M%.1f %.1f H%.1f M%.1f %.1f H%.1f\" "
                        "stroke=\"black\" fill=\"none\"/>\n",
                        cx, yl, yh, cx - 3.0, yh, cx + 3.0, cx - 3.0, yl, cx + 3.0);
                top = fmin(top, fmin(y, yh));
            }
            if (c->solved > 0 && c->bwd_runs == 0) /* no derivative: mark the empty slot */
                fprintf(f,
                        "<text transform=\"translate(%.1f %.1f) rotate(-90)\" font-size=\"10\" "
                        "fill=\"#c00\">no backward</text>\n",
                        px + 1.5 * barw + 3.0, ybase - 4.0);
            char label[64];
            error_label(c, label, sizeof label);
            fprintf(f,
                    "<text class=\"err\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                    "font-size=\"11\" fill=\"%s\">",
                    px + barw, top - 5.0, c->solved > 0 ? "black" : "#c00");
            svg_write_escaped(f, label);
            fprintf(f, "</text>\n");
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\">",
                gx + groupw / 2.0, ybase + 20.0);
        svg_write_escaped(f, cells[s * ntols].solver);
        fprintf(f, "</text>\n");
    }
    /* Legend. */
    for (int t = 0; t < ntols; t++) {
        double y = legend_y + 20.0 * t;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x0,
                y - 10.0, palette[t % 8]);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">tolerance %g (eps_abs = eps_rel)</text>\n",
                x0 + 18.0, y, cells[t].tol);
    }
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" fill=\"#444\">solid: forward solve; light: backward "
            "(derivative setup + one VJP); whiskers: +- 1 std</text>\n",
            x0, legend_y + 20.0 * ntols);
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" fill=\"#444\">above the bars: eN = relative error "
            "of z against the reference ~ 10^N; exact: no error</text>\n",
            x0, legend_y + 20.0 * ntols + 18.0);
    fprintf(f, "</svg>\n");
#undef YPOS
    int ok = !ferror(f);
    if (fclose(f) != 0)
        ok = 0;
    if (!ok)
        cli_err("error writing '%s'", path);
    return ok;
}
