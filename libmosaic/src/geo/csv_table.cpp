// CSV side of geo/table.h: parsing, formatting, label lists, booleans.
#include <algorithm>
#include <cctype>

#include "geo/file_util.h"
#include "geo/table.h"

namespace mosaic::geo::internal {
namespace {

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::string JoinColumns(const std::vector<std::string>& columns) {
  std::string joined;
  for (const std::string& c : columns) joined += (joined.empty() ? "" : ", ") + c;
  return joined;
}

// Reads a quoted string starting at text[*pos] (the quote character) with
// backslash escapes; advances *pos past the closing quote.
bool ReadQuoted(const std::string& text, size_t* pos, std::string* out) {
  const char quote = text[*pos];
  out->clear();
  for (size_t i = *pos + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      const char next = text[++i];
      switch (next) {
        case 'n':
          *out += '\n';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u':
          if (i + 4 < text.size() &&
              std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                          text.begin() + static_cast<std::ptrdiff_t>(i) + 5,
                          [](char h) { return std::isxdigit(static_cast<unsigned char>(h)); })) {
            const unsigned long code = std::stoul(text.substr(i + 1, 4), nullptr, 16);
            i += 4;
            if (code < 0x80) {
              *out += static_cast<char>(code);
            } else if (code < 0x800) {
              *out += static_cast<char>(0xC0 | (code >> 6));
              *out += static_cast<char>(0x80 | (code & 0x3F));
            } else {
              *out += static_cast<char>(0xE0 | (code >> 12));
              *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
              *out += static_cast<char>(0x80 | (code & 0x3F));
            }
          } else {
            *out += next;
          }
          break;
        default:
          *out += next;  // \" \' \\ \/
      }
    } else if (c == quote) {
      *pos = i + 1;
      return true;
    } else {
      *out += c;
    }
  }
  return false;
}

}  // namespace

int Table::ColumnIndex(const std::string& name) const {
  const auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

StatusOr<int> Table::RequireColumn(const std::string& name) const {
  const int index = ColumnIndex(name);
  if (index < 0) {
    return Status::NotFound(path + ": missing column '" + name +
                            "' (columns: " + JoinColumns(columns) + ")");
  }
  return index;
}

std::string Table::Where(size_t row) const { return path + ", row " + std::to_string(row + 1); }

StatusOr<Table> ReadCsvTable(const std::string& path) {
  StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string cell;
  bool in_quotes = false;
  bool cell_started = false;
  size_t line = 1;
  size_t quote_line = 0;
  const std::string& s = *text;
  size_t i = (s.rfind("\xEF\xBB\xBF", 0) == 0) ? 3 : 0;  // skip a UTF-8 BOM
  auto end_record = [&] {
    record.push_back(cell);
    // Skip blank lines entirely.
    if (!(record.size() == 1 && record[0].empty() && !cell_started)) records.push_back(record);
    record.clear();
    cell.clear();
    cell_started = false;
  };
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
    } else if (c == '"') {
      in_quotes = true;
      cell_started = true;
      quote_line = line;
    } else if (c == ',') {
      record.push_back(cell);
      cell.clear();
      cell_started = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      end_record();
      ++line;
    } else {
      cell += c;
      cell_started = true;
    }
  }
  if (in_quotes) {
    return Status::Corruption(path + ": unterminated quoted cell starting on line " +
                              std::to_string(quote_line));
  }
  if (!cell.empty() || !record.empty() || cell_started) end_record();
  if (records.empty()) return Status::Corruption(path + ": empty file, expected a header row");

  Table table;
  table.path = path;
  for (const std::string& name : records[0]) table.columns.push_back(Trim(name));
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != table.columns.size()) {
      return Status::Corruption(table.Where(r - 1) + ": " + std::to_string(records[r].size()) +
                                " cells, expected " + std::to_string(table.columns.size()) +
                                " (as in the header)");
    }
    table.rows.push_back(std::move(records[r]));
  }
  return table;
}

std::string FormatCsv(const std::vector<std::string>& columns,
                      const std::vector<std::vector<std::string>>& rows) {
  auto escape = [](const std::string& cell) {
    if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
    std::string quoted = "\"";
    for (char c : cell) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  };
  std::string out;
  auto append_row = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + escape(row[i]);
    out += "\n";
  };
  append_row(columns);
  for (const auto& row : rows) append_row(row);
  return out;
}

StatusOr<std::vector<std::string>> ParseLabelList(const std::string& cell) {
  const std::string text = Trim(cell);
  std::vector<std::string> labels;
  if (text.empty()) return labels;
  if (text.front() == '[') {
    if (text.back() != ']') {
      return Status::InvalidArgument("label list '" + text + "' has no closing ']'");
    }
    size_t pos = 1;
    const size_t end = text.size() - 1;
    while (pos < end) {
      const char c = text[pos];
      if (c == '"' || c == '\'') {
        std::string label;
        if (!ReadQuoted(text, &pos, &label) || pos > end) {
          return Status::InvalidArgument("label list '" + text + "' has an unterminated quote");
        }
        labels.push_back(label);
      } else if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
        ++pos;
      } else {
        return Status::InvalidArgument("label list '" + text +
                                       "': expected quoted class names inside [...]");
      }
    }
    return labels;
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t stop = text.find(';', start);
    if (stop == std::string::npos) stop = text.size();
    const std::string label = Trim(text.substr(start, stop - start));
    if (!label.empty()) labels.push_back(label);
    start = stop + 1;
  }
  return labels;
}

StatusOr<bool> ParseBool(const std::string& cell) {
  std::string v = Trim(cell);
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v.empty() || v == "false" || v == "0" || v == "no") return false;
  if (v == "true" || v == "1" || v == "yes") return true;
  return Status::InvalidArgument("'" + cell + "' is not a boolean (expected true or false)");
}

}  // namespace mosaic::geo::internal
