// The "MosaicPredict" VRT processed-dataset step (GDAL >= 3.9): the same
// computation as the "mosaic" pixel function, on the whole input dataset of
// the step (S2 bands, then S1 bands), giving one output band per class.
// Compiled only against GDAL >= 3.9; on older GDAL RegisterProcessedStep does
// nothing. Like the pixel function it sees only the window it is handed.
#include "driver_metadata.h"

#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 9, 0)
#include <memory>
#include <vector>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#endif

namespace mosaic::gdal_driver {

#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 9, 0)
namespace {

constexpr char kStepMetadata[] =
    "<ProcessedDatasetFunctionArgumentsList>"
    "  <Argument name='model' type='string' description='Model bundle (.mosaic)' "
    "required='true'/>"
    "  <Argument name='stride' type='integer' default='0'/>"
    "  <Argument name='blend' type='string' default='hann'/>"
    "  <Argument name='edges' type='string' default='shift'/>"
    "  <Argument name='head' type='string' default='auto'/>"
    "  <Argument name='s2_nodata' type='string' default='0'/>"
    "  <Argument name='device' type='string' default='cpu'/>"
    "  <Argument name='batch_size' type='integer' default='16'/>"
    "</ProcessedDatasetFunctionArgumentsList>";

struct StepData {
  CPLStringList args;
  int classes = 0;
};

CPLErr StepInit(const char* /*func_name*/, void* /*user_data*/, CSLConstList args, int /*in_bands*/,
                GDALDataType /*in_type*/, double* /*in_nodata*/, int* out_bands,
                GDALDataType* out_type, double** out_nodata, const char* vrt_path,
                VRTPDWorkingDataPtr* working_data) {
  MosaicBackendClassCountFn class_count = BackendClassCount();
  if (class_count == nullptr) return CE_Failure;
  auto data = std::make_unique<StepData>();
  data->args = CPLStringList(args);
  if (vrt_path != nullptr) data->args.SetNameValue("_VRT_PATH", vrt_path);
  data->classes = class_count(data->args.List());
  if (data->classes <= 0) return CE_Failure;
  *out_bands = data->classes;
  *out_type = GDT_Float32;
  *out_nodata = static_cast<double*>(CPLMalloc(sizeof(double) * data->classes));
  for (int i = 0; i < data->classes; ++i) (*out_nodata)[i] = -1.0;
  *working_data = reinterpret_cast<VRTPDWorkingDataPtr>(data.release());
  return CE_None;
}

void StepFree(const char* /*func_name*/, void* /*user_data*/, VRTPDWorkingDataPtr working_data) {
  delete reinterpret_cast<StepData*>(working_data);
}

CPLErr StepProcess(const char* /*func_name*/, void* /*user_data*/, VRTPDWorkingDataPtr working_data,
                   CSLConstList /*args*/, int width, int height, const void* in_buffer,
                   size_t /*in_size*/, GDALDataType in_type, int in_bands,
                   const double* /*in_nodata*/, void* out_buffer, size_t /*out_size*/,
                   GDALDataType out_type, int out_bands, const double* /*out_nodata*/,
                   double /*src_x*/, double /*src_y*/, double /*src_width*/, double /*src_height*/,
                   const double src_geotransform[], const char* /*vrt_path*/,
                   CSLConstList /*extra*/) {
  const auto* data = reinterpret_cast<const StepData*>(working_data);
  MosaicBackendPredictBufferFn predict = BackendPredictBuffer();
  if (predict == nullptr) return CE_Failure;
  if (in_type != GDT_Float32 || out_type != GDT_Float32 || out_bands != data->classes) {
    CPLError(CE_Failure, CPLE_AppDefined, "MosaicPredict: expected Float32 in and out");
    return CE_Failure;
  }
  // The step's buffers are pixel-interleaved; the backend wants band planes.
  const size_t plane = static_cast<size_t>(width) * static_cast<size_t>(height);
  const auto* in = static_cast<const float*>(in_buffer);
  std::vector<float> planes(plane * static_cast<size_t>(in_bands));
  for (size_t i = 0; i < plane; ++i) {
    for (int b = 0; b < in_bands; ++b) planes[b * plane + i] = in[i * in_bands + b];
  }
  std::vector<float> classes(plane * static_cast<size_t>(out_bands));
  if (predict(planes.data(), in_bands, width, height, src_geotransform, data->args.List(),
              classes.data(), out_bands) != CE_None) {
    return CE_Failure;
  }
  auto* out = static_cast<float*>(out_buffer);
  for (size_t i = 0; i < plane; ++i) {
    for (int b = 0; b < out_bands; ++b) out[i * out_bands + b] = classes[b * plane + i];
  }
  return CE_None;
}

}  // namespace

void RegisterProcessedStep() {
  const GDALDataType input_types[] = {GDT_Float32};
  GDALVRTRegisterProcessedDatasetFunc("MosaicPredict", nullptr, kStepMetadata, GDT_Float32,
                                      input_types, 1, nullptr, 0, StepInit, StepFree, StepProcess,
                                      nullptr);
}
#else
void RegisterProcessedStep() {}
#endif

}  // namespace mosaic::gdal_driver
