/*
 * QR codes. See qr.h.
 */
#include "goals/qr.h"

#include <png.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/banned.h"

#define QUIET 4 /* modules of white around the symbol */

static QRcode *encode(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        pz_error(PZ_EINVAL, "cannot make a QR code of %zu bytes", strlen(text));
    return qr;
}

int qr_svg(const char *text, struct pz_buf *out)
{
    QRcode *qr = encode(text);
    int size, r;

    if (!qr)
        return PZ_EINVAL;
    size = qr->width + 2 * QUIET;
    r = pz_buf_printf(out,
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
                      " shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\""
                      " fill=\"#fff\"/><path fill=\"#000\" d=\"",
                      size, size, size, size);
    for (int y = 0; y < qr->width && r == 0; y++) {
        for (int x = 0; x < qr->width && r == 0; x++) {
            int run = 0;
            /* One rectangle per horizontal run of dark modules keeps the file small. */
            while (x + run < qr->width && (qr->data[y * qr->width + x + run] & 1))
                run++;
            if (run) {
                r = pz_buf_printf(out, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
                x += run - 1;
            }
        }
    }
    if (r == 0)
        r = pz_buf_addstr(out, "\"/></svg>\n");
    QRcode_free(qr);
    return r;
}

struct png_out {
    struct pz_buf *buf;
    int failed;
};

static void png_write(png_structp png, png_bytep data, png_size_t n)
{
    struct png_out *o = png_get_io_ptr(png);
    if (!o->failed && pz_buf_add(o->buf, data, n) < 0)
        o->failed = 1;
}

static void png_flush(png_structp png)
{
    (void)png;
}

/* Writes QR as a SIZE x SIZE PNG of SCALE-pixel modules through O; ROW holds one row. */
static int write_png(const QRcode *qr, const int scale, const int size, unsigned char *const row,
                     struct png_out *const o)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;

    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        return pz_error(PZ_ENOMEM, "libpng could not start");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return pz_error(PZ_EIO, "libpng failed to write the QR code");
    }
    png_set_write_fn(png, o, png_write, png_flush);
    png_set_IHDR(png, info, (png_uint_32)size, (png_uint_32)size, 1, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int py = 0; py < size; py++) {
        int my = py / scale - QUIET;
        memset(row, 0xff, (size_t)(size + 7) / 8);
        for (int px = 0; px < size; px++) {
            int mx = px / scale - QUIET;
            if (my >= 0 && my < qr->width && mx >= 0 && mx < qr->width &&
                (qr->data[my * qr->width + mx] & 1))
                row[px / 8] &= (unsigned char)~(0x80 >> (px % 8));
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int qr_png(const char *text, int scale, struct pz_buf *out)
{
    QRcode *qr = encode(text);
    struct png_out o = {out, 0};
    unsigned char *row;
    int size, r;

    if (!qr)
        return PZ_EINVAL;
    if (scale < 1 || scale > 32)
        scale = 8;
    size = (qr->width + 2 * QUIET) * scale;
    row = xcalloc(1, (size_t)(size + 7) / 8);
    r = write_png(qr, scale, size, row, &o);
    if (r == 0 && o.failed)
        r = pz_error(PZ_ETOOBIG, "the QR code PNG does not fit the answer");
    free(row);
    QRcode_free(qr);
    return r;
}
