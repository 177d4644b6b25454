// Spellings that changed between QGIS 3.22 (Debian 12, what we build and
// test against) and later 3.x releases, where the processing enums moved into
// the Qgis namespace (3.30: WKB types, 3.36: processing flags and types, 3.38:
// QMetaType field types). Everything else in qgis_plugin/ uses these names.
#ifndef MOSAIC_QGIS_PLUGIN_QGIS_COMPAT_H_
#define MOSAIC_QGIS_PLUGIN_QGIS_COMPAT_H_

#include <qgis.h>
#include <qgsprocessing.h>
#include <qgsprocessingparameters.h>
#include <qgswkbtypes.h>

namespace mosaic::qgis::compat {

#if _QGIS_VERSION_INT >= 33600
inline constexpr auto kRasterType = Qgis::ProcessingSourceType::Raster;
inline constexpr auto kTableType = Qgis::ProcessingSourceType::Vector;
inline constexpr auto kAdvancedFlag = Qgis::ProcessingParameterFlag::Advanced;
inline constexpr auto kOptionalFlag = Qgis::ProcessingParameterFlag::Optional;
inline constexpr auto kIntegerNumber = Qgis::ProcessingNumberParameterType::Integer;
inline constexpr auto kDoubleNumber = Qgis::ProcessingNumberParameterType::Double;
inline constexpr auto kFileBehavior = Qgis::ProcessingFileParameterBehavior::File;
#else
inline constexpr auto kRasterType = QgsProcessing::TypeRaster;
inline constexpr auto kTableType = QgsProcessing::TypeVector;
inline constexpr auto kAdvancedFlag = QgsProcessingParameterDefinition::FlagAdvanced;
inline constexpr auto kOptionalFlag = QgsProcessingParameterDefinition::FlagOptional;
inline constexpr auto kIntegerNumber = QgsProcessingParameterNumber::Integer;
inline constexpr auto kDoubleNumber = QgsProcessingParameterNumber::Double;
inline constexpr auto kFileBehavior = QgsProcessingParameterFile::File;
#endif

#if _QGIS_VERSION_INT >= 33000
inline constexpr auto kNoGeometry = Qgis::WkbType::NoGeometry;
#else
inline constexpr auto kNoGeometry = QgsWkbTypes::NoGeometry;
#endif

#if _QGIS_VERSION_INT >= 33800
inline constexpr auto kStringField = QMetaType::Type::QString;
inline constexpr auto kDoubleField = QMetaType::Type::Double;
#else
inline constexpr auto kStringField = QVariant::String;
inline constexpr auto kDoubleField = QVariant::Double;
#endif

// Marks a parameter as advanced (hidden under "Advanced Parameters").
template <typename Parameter>
Parameter* Advanced(Parameter* parameter) {
  parameter->setFlags(parameter->flags() | kAdvancedFlag);
  return parameter;
}

}  // namespace mosaic::qgis::compat

#endif  // MOSAIC_QGIS_PLUGIN_QGIS_COMPAT_H_
