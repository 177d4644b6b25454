#include "driver_metadata.h"

#include <cctype>
#include <cstring>

#include <cpl_string.h>

namespace mosaic::gdal_driver {

namespace {

// Keep in step with ApplyOpenOptions (description.cpp) and docs/gdal-plugin.md.
constexpr char kOpenOptionList[] =
    "<OpenOptionList>"
    "  <Option name='MODEL' type='string' description='Model bundle (.mosaic)'/>"
    "  <Option name='S2' type='string' description='Sentinel-2 raster(s), comma-separated'/>"
    "  <Option name='S2_BANDS' type='string' description='Model band name of each S2 source "
    "band, comma-separated'/>"
    "  <Option name='S1' type='string' description='Sentinel-1 raster(s), comma-separated'/>"
    "  <Option name='S1_BANDS' type='string' description='VV/VH name of each S1 source band'/>"
    "  <Option name='S1_LINEAR' type='boolean' description='S1 values are linear sigma0 "
    "(else dB)'/>"
    "  <Option name='S2_MASK' type='string' description='S2 validity raster (e.g. SCL)'/>"
    "  <Option name='S2_MASK_INVALID' type='string' description='Mask values that make a "
    "pixel S2 nodata, comma-separated' default='0,1,3,8,9,10'/>"
    "  <Option name='S2_NODATA' type='string' description='S2 nodata value when a band "
    "declares none, or NONE' default='0'/>"
    "  <Option name='STRIDE' type='int' description='Patch stride in pixels (0 = half the "
    "patch)' default='0'/>"
    "  <Option name='BLEND' type='string-select' default='hann'>"
    "    <Value>uniform</Value><Value>hann</Value><Value>gaussian</Value>"
    "  </Option>"
    "  <Option name='GAUSSIAN_SIGMA' type='float' default='0.25'/>"
    "  <Option name='EDGES' type='string-select' default='shift'>"
    "    <Value>shift</Value><Value>reflect</Value>"
    "  </Option>"
    "  <Option name='GRID' type='string-select' default='dense'>"
    "    <Value>dense</Value><Value>coarse</Value>"
    "  </Option>"
    "  <Option name='HEAD' type='string-select' default='auto'>"
    "    <Value>auto</Value><Value>fused</Value><Value>s1</Value><Value>s2</Value>"
    "  </Option>"
    "  <Option name='MAX_NODATA_FRACTION' type='float' default='0.5'/>"
    "  <Option name='DEVICE' type='string' description='cpu, cuda or cuda:N' default='cpu'/>"
    "  <Option name='PRECISION' type='string-select' default='fp32'>"
    "    <Value>fp32</Value><Value>bf16</Value><Value>fp16</Value>"
    "  </Option>"
    "  <Option name='THREADS' type='int' description='LibTorch intra-op threads (0 = its "
    "default)' default='0'/>"
    "  <Option name='BATCH_SIZE' type='int' description='Patches per inference call' "
    "default='16'/>"
    "  <Option name='OUTPUT' type='string-select' default='probabilities'>"
    "    <Value>probabilities</Value><Value>embeddings</Value>"
    "  </Option>"
    "  <Option name='BLOCK_SIZE' type='int' description='Block side in pixels' default='256'/>"
    "  <Option name='CACHE_MB' type='int' description='Memory for computed blocks (all bands "
    "of a block are computed together and kept here)' default='256'/>"
    "</OpenOptionList>";

}  // namespace

const char kPixelFunctionMetadata[] =
    "<PixelFunctionArgumentsList>"
    "  <Argument name='model' type='string' description='Model bundle (.mosaic); relative "
    "to the VRT' mandatory='true'/>"
    "  <Argument name='class' type='string' description='Class name or 0-based index' "
    "mandatory='true'/>"
    "  <Argument name='stride' type='int' default='0'/>"
    "  <Argument name='blend' type='string' default='hann'/>"
    "  <Argument name='edges' type='string' default='shift'/>"
    "  <Argument name='head' type='string' default='auto'/>"
    "  <Argument name='s2_nodata' type='string' default='0'/>"
    "  <Argument name='device' type='string' default='cpu'/>"
    "  <Argument name='batch_size' type='int' default='16'/>"
    "</PixelFunctionArgumentsList>";

void SetDriverMetadata(GDALDriver* driver) {
  driver->SetDescription(kDriverName);
  driver->SetMetadataItem(GDAL_DCAP_RASTER, "YES");
  driver->SetMetadataItem(GDAL_DMD_LONGNAME,
                          "MoSAiC multi-label land-cover probabilities, computed on read");
  driver->SetMetadataItem(GDAL_DMD_HELPTOPIC, "docs/gdal-plugin.md (MoSAiC toolkit)");
  driver->SetMetadataItem(GDAL_DMD_CONNECTION_PREFIX, kConnectionPrefix);
  driver->SetMetadataItem(GDAL_DCAP_VIRTUALIO, "YES");
  driver->SetMetadataItem(GDAL_DMD_OPENOPTIONLIST, kOpenOptionList);
}

bool IdentifyMosaic(const char* filename, const GByte* header, int header_bytes) {
  if (filename != nullptr && STARTS_WITH_CI(filename, kConnectionPrefix)) return true;
  if (header == nullptr || header_bytes < 12) return false;
  const char* text = reinterpret_cast<const char*>(header);
  const char* end = text + header_bytes;
  const char* p = text;
  while (p < end && std::isspace(static_cast<unsigned char>(*p))) ++p;
  if (p == end || *p != '{') return false;
  // A description file: {"mosaic": 1, ...}. Look for the member in the
  // header only (GDAL holds the first 1 KiB); it is documented to come first.
  static constexpr char kKey[] = "\"mosaic\"";
  const size_t key_length = sizeof(kKey) - 1;
  for (const char* q = p; q + key_length <= end; ++q) {
    if (std::memcmp(q, kKey, key_length) != 0) continue;
    const char* r = q + key_length;
    while (r < end && std::isspace(static_cast<unsigned char>(*r))) ++r;
    if (r == end || *r != ':') continue;
    ++r;
    while (r < end && std::isspace(static_cast<unsigned char>(*r))) ++r;
    if (r < end && std::isdigit(static_cast<unsigned char>(*r))) return true;
  }
  return false;
}

}  // namespace mosaic::gdal_driver
