/*
 * cover.c - generated cover art, written with libpng. See cover.h.
 */
#include "cover.h"
#include "util.h"

#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* xorshift32: deterministic pseudo-random numbers from the seed. */
static uint32_t next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* HSV (h in [0,1)) to 8-bit RGB. */
static void hsv(double h, double s, double v, unsigned char rgb[3])
{
	double r, g, b, f, p, q, t;
	int i = (int)floor(h * 6);

	f = h * 6 - i;
	p = v * (1 - s);
	q = v * (1 - f * s);
	t = v * (1 - (1 - f) * s);
	switch (((i % 6) + 6) % 6) {
	case 0: r = v; g = t; b = p; break;
	case 1: r = q; g = v; b = p; break;
	case 2: r = p; g = v; b = t; break;
	case 3: r = p; g = q; b = v; break;
	case 4: r = t; g = p; b = v; break;
	default: r = v; g = p; b = q; break;
	}
	rgb[0] = (unsigned char)lround(r * 255);
	rgb[1] = (unsigned char)lround(g * 255);
	rgb[2] = (unsigned char)lround(b * 255);
}

/* Fills the image: background gradient, then a ring of bars. */
static void paint(unsigned char *img, int size, const char *text)
{
	uint32_t x = hash_fnv1a32(text) | 1;
	double hue = (next_rand(&x) % 1000) / 1000.0;
	unsigned char top[3], bottom[3], bar[3];
	double heights[96];
	int nbars = 96, i, px, py;

	hsv(hue, 0.55, 0.30, top);
	hsv(fmod(hue + 0.08, 1.0), 0.65, 0.12, bottom);
	hsv(fmod(hue + 0.5, 1.0), 0.45, 0.95, bar);
	for (i = 0; i < nbars; i++)
		heights[i] = 0.25 + 0.75 * ((next_rand(&x) % 1000) / 1000.0) *
			     (0.6 + 0.4 * sin(i * 2 * M_PI / nbars * 3));
	for (py = 0; py < size; py++) {
		double t = (double)py / (size - 1);

		for (px = 0; px < size; px++) {
			unsigned char *p = img + ((size_t)py * size + px) * 3;
			double dx = px - size / 2.0, dy = py - size / 2.0;
			double r = sqrt(dx * dx + dy * dy) / (size / 2.0);
			double a = atan2(dy, dx) + M_PI;
			int k = (int)(a / (2 * M_PI) * nbars) % nbars;
			double frac = a / (2 * M_PI) * nbars - floor(a / (2 * M_PI) * nbars);
			int c;

			for (c = 0; c < 3; c++)
				p[c] = (unsigned char)lround(top[c] * (1 - t) + bottom[c] * t);
			/* Bars from radius 0.38 outwards, with gaps between them. */
			if (frac > 0.2 && frac < 0.8 && r > 0.38 && r < 0.38 + 0.5 * heights[k])
				memcpy(p, bar, 3);
			/* A solid disc in the middle. */
			if (r < 0.30)
				for (c = 0; c < 3; c++)
					p[c] = (unsigned char)(bar[c] / 2 + top[c] / 2);
		}
	}
}

struct png_out {
	struct strbuf *sb;
};

static void png_write_mem(png_structp png, png_bytep data, png_size_t len)
{
	struct png_out *o = png_get_io_ptr(png);

	strbuf_add(o->sb, data, len);
}

static void png_flush_mem(png_structp png)
{
	(void)png;
}

int cover_draw(const char *path, int size, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	struct png_out o = { &sb };
	unsigned char *img;
	png_structp png;
	png_infop info;
	int y, ret;

	if (size < 16 || size > 4096)
		return error("cover size %d is out of range", size);
	img = xmalloc((size_t)size * size * 3);
	paint(img, size, text);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (!info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(img);
		strbuf_release(&sb);
		return error("cannot encode the cover '%s'", path);
	}
	png_set_write_fn(png, &o, png_write_mem, png_flush_mem);
	png_set_IHDR(png, info, (png_uint_32)size, (png_uint_32)size, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 9);
	png_write_info(png, info);
	for (y = 0; y < size; y++)
		png_write_row(png, img + (size_t)y * size * 3);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(img);
	ret = write_file_atomic(path, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}
