// Writing per-sample embeddings for use outside MoSAiC (`mosaic embed`):
// NumPy .npy files and CSV tables. Torch-free.
//
// Both writers are atomic (AtomicFileWriter: a temporary file next to the
// destination, renamed over it on success), so a reader never sees a partial
// file and a failed write leaves an existing file untouched. They overwrite
// an existing destination; refusing to is the caller's policy.
//
// Thread-safety: pure functions; concurrent calls for distinct paths are safe.
#ifndef MOSAIC_EVAL_EMBEDDING_IO_H_
#define MOSAIC_EVAL_EMBEDDING_IO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::eval {

// The NumPy format version 1.0 header for a C-order little-endian float32
// array of shape (rows, cols): "\x93NUMPY", 0x01 0x00, a uint16 LE header
// length, then the dict
//   {'descr': '<f4', 'fortran_order': False, 'shape': (rows, cols), }
// padded with spaces and ended by '\n' so that magic + length + dict is a
// multiple of 64 bytes. numpy.load reads the file it starts.
MOSAIC_EXPORT std::string NpyFloat32Header(int64_t rows, int64_t cols);

// Writes `values` ([rows, cols] row-major) as a .npy file (header above, then
// the values as little-endian float32). np.load(path) gives an (rows, cols)
// float32 array.
// Errors: InvalidArgument when values.size() != rows * cols or a dimension is
// negative; IOError naming the path.
MOSAIC_EXPORT Status WriteNpyFloat32(const std::string& path, const std::vector<float>& values,
                                     int64_t rows, int64_t cols);

// Writes a CSV table with the header "id,label,e1,...,eD" and one row per
// sample: its id, its label name (empty when the sample has none) and its D
// embedding values (shortest text that reads back as the same float, '.'
// decimal point whatever the locale). Fields holding ',', '"' or a line break
// are quoted RFC 4180 style.
// Errors: InvalidArgument when ids, labels and embeddings ([N, D]) disagree in
// N; IOError naming the path.
MOSAIC_EXPORT Status WriteEmbeddingsCsv(const std::string& path,
                                        const std::vector<std::string>& ids,
                                        const std::vector<std::string>& labels,
                                        const std::vector<float>& embeddings,
                                        int64_t embedding_dim);

}  // namespace mosaic::eval

#endif  // MOSAIC_EVAL_EMBEDDING_IO_H_
