// Names of the scene engine's enumerated options.
#include "mosaic/geo/scene_predict.h"

namespace mosaic::geo {

StatusOr<BlendWindow> ParseBlendWindow(const std::string& name) {
  if (name == "uniform") return BlendWindow::kUniform;
  if (name == "hann") return BlendWindow::kHann;
  if (name == "gaussian") return BlendWindow::kGaussian;
  return Status::InvalidArgument("blend '" + name + "': expected uniform, hann or gaussian");
}

StatusOr<EdgeMode> ParseEdgeMode(const std::string& name) {
  if (name == "shift") return EdgeMode::kShift;
  if (name == "reflect") return EdgeMode::kReflect;
  return Status::InvalidArgument("edges '" + name + "': expected shift or reflect");
}

StatusOr<OutputGrid> ParseOutputGrid(const std::string& name) {
  if (name == "dense") return OutputGrid::kDense;
  if (name == "coarse") return OutputGrid::kCoarse;
  return Status::InvalidArgument("grid '" + name + "': expected dense or coarse");
}

StatusOr<ProbabilityType> ParseProbabilityType(const std::string& name) {
  if (name == "float32") return ProbabilityType::kFloat32;
  if (name == "byte") return ProbabilityType::kByte;
  return Status::InvalidArgument("type '" + name + "': expected float32 or byte");
}

StatusOr<OutputFormat> ParseOutputFormat(const std::string& name) {
  if (name == "gtiff" || name == "GTiff") return OutputFormat::kGTiff;
  if (name == "cog" || name == "COG") return OutputFormat::kCOG;
  return Status::InvalidArgument("format '" + name + "': expected gtiff or cog");
}

const char* BlendWindowName(BlendWindow window) {
  switch (window) {
    case BlendWindow::kUniform:
      return "uniform";
    case BlendWindow::kHann:
      return "hann";
    case BlendWindow::kGaussian:
      return "gaussian";
  }
  return "?";
}

const char* EdgeModeName(EdgeMode mode) { return mode == EdgeMode::kShift ? "shift" : "reflect"; }

const char* OutputGridName(OutputGrid grid) {
  return grid == OutputGrid::kDense ? "dense" : "coarse";
}

}  // namespace mosaic::geo
