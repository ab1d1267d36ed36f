/*
 * QR codes of tracked links, for print: SVG (scales to any size) and PNG
 * (black on white, 1 bit per pixel). The symbol is made by libqrencode at
 * error-correction level M, with the quiet zone of four modules the standard
 * asks for; the PNG is written by libpng.
 */
#ifndef PZ_QR_H
#define PZ_QR_H

#include "core/buf.h"

/* Appends an SVG image of TEXT's QR code to OUT. Returns 0 or a negative code. */
int qr_svg(const char *text, struct pz_buf *out);

/* Appends a PNG image of TEXT's QR code, SCALE pixels per module (1-32), to OUT. */
int qr_png(const char *text, int scale, struct pz_buf *out);

#endif
