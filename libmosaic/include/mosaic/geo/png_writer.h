// Writing an 8-bit RGB image as a PNG file (GDAL's PNG driver), e.g. the
// embedding projection plot of `mosaic embed`. Torch-free.
#ifndef MOSAIC_GEO_PNG_WRITER_H_
#define MOSAIC_GEO_PNG_WRITER_H_

#include <cstdint>
#include <string>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::geo {

// Writes the width x height RGB image `rgb` (pixel-interleaved, row-major
// from the top-left: rgb[(y * width + x) * 3 + channel], width * height * 3
// bytes) to `path` as a 3-band 8-bit PNG without georeferencing.
//
// Atomic: the PNG is encoded into a temporary file next to `path` and renamed
// over it only when complete, so readers never see a partial file and a
// failure leaves an existing file untouched (and no temporary file behind).
// Overwrites an existing `path`.
//
// Errors: InvalidArgument for a null buffer or a side outside 1..65535 px;
// IOError naming the path when the folder is not writable or GDAL fails.
// Thread-safety: safe for distinct paths.
MOSAIC_EXPORT Status WriteRgbPng(const std::string& path, int64_t width, int64_t height,
                                 const uint8_t* rgb);

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_PNG_WRITER_H_
