// Symbol visibility for the public API of libmosaic.
#ifndef MOSAIC_EXPORT_H_
#define MOSAIC_EXPORT_H_

#if defined(_WIN32)
#define MOSAIC_EXPORT
#else
#define MOSAIC_EXPORT __attribute__((visibility("default")))
#endif

#endif  // MOSAIC_EXPORT_H_
