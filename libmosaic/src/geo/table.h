// Metadata tables (BigEarthNet v2.0 metadata, generic CSV datasets): an
// RFC 4180 CSV reader/writer, reading/writing any GDAL vector table (Parquet
// when GDAL has the driver), and the label-list cell format.
#ifndef MOSAIC_GEO_TABLE_H_
#define MOSAIC_GEO_TABLE_H_

#include <string>
#include <vector>

#include "mosaic/status.h"

namespace mosaic::geo::internal {

// A table of strings. List-valued cells read through GDAL (e.g. Parquet
// list<string>) are stored as JSON arrays, which ParseLabelList reads.
struct Table {
  std::string path;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // every row has columns.size() cells

  // Index of a column, or -1.
  int ColumnIndex(const std::string& name) const;
  // Index of a column; NotFound "<path>: missing column '<name>' (columns: ...)".
  StatusOr<int> RequireColumn(const std::string& name) const;
  // "<path>, row <n>" (n counts data rows from 1) for error messages.
  std::string Where(size_t row) const;
};

// Reads a CSV file with a header row: ',' separated, '"' quoting with ""
// escapes, quoted cells may span lines, CRLF or LF line ends. Corruption
// (naming the file and line) for an unterminated quote or a row with a
// different number of cells than the header.
StatusOr<Table> ReadCsvTable(const std::string& path);

// The CSV text of a table (quotes cells that need it), with LF line ends.
std::string FormatCsv(const std::vector<std::string>& columns,
                      const std::vector<std::vector<std::string>>& rows);

// Reads the first layer of a GDAL vector dataset (Parquet, GeoJSON, ...).
StatusOr<Table> ReadOgrTable(const std::string& path);

enum class ColumnType { kString, kStringList, kBoolean };
struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kString;
};
// Writes a table with the GDAL vector driver `driver` (e.g. "Parquet").
// kStringList cells are given as ';'-separated names, kBoolean as
// "true"/"false". The file must not exist.
Status WriteOgrTable(const std::string& path, const std::string& driver,
                     const std::vector<ColumnSpec>& columns,
                     const std::vector<std::vector<std::string>>& rows);

// Parses a label-list cell. Accepted forms:
//   JSON array            ["Arable land", "Pastures"]   (ogr2ogr's CSV output)
//   Python list repr      ['Arable land', 'Pastures']   (pandas to_csv)
//   numpy array repr      ['Arable land' 'Pastures']
//   ';'-separated         Arable land;Pastures
// An empty cell or [] is an empty list. InvalidArgument for an unterminated
// quote or a bracketed list without quoted names.
StatusOr<std::vector<std::string>> ParseLabelList(const std::string& cell);

// Parses true/false, True/False, 1/0, yes/no (case-insensitive); "" is false.
StatusOr<bool> ParseBool(const std::string& cell);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_TABLE_H_
