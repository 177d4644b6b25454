#include "mosaic/manifest.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/manifests.h"

namespace mosaic {
namespace {

using Json = nlohmann::json;
using testing::TinyManifest;

// Applies `edit` to the JSON of a valid manifest and parses the result.
template <typename Edit>
StatusOr<ModelManifest> ParseEdited(Edit edit) {
  Json json = Json::parse(ManifestToJson(TinyManifest()));
  edit(json);
  return ManifestFromJson(json.dump());
}

void ExpectErrorMentions(const StatusOr<ModelManifest>& result, StatusCode code,
                         const std::string& fragment) {
  ASSERT_FALSE(result.ok()) << "expected an error mentioning " << fragment;
  EXPECT_EQ(result.status().code(), code) << result.status().ToString();
  EXPECT_NE(result.status().message().find(fragment), std::string::npos)
      << "message: " << result.status().message();
}

TEST(Manifest, TinyManifestIsValid) { EXPECT_TRUE(ValidateManifest(TinyManifest()).ok()); }

TEST(Manifest, JsonRoundTripPreservesEveryField) {
  const ModelManifest original = TinyManifest();
  StatusOr<ModelManifest> parsed = ManifestFromJson(ManifestToJson(original));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->name, original.name);
  EXPECT_EQ(parsed->description, original.description);
  EXPECT_EQ(parsed->s1.encoder, "small_cnn");
  EXPECT_EQ(parsed->s1.bands, original.s1.bands);
  EXPECT_EQ(parsed->s2.bands, original.s2.bands);
  EXPECT_EQ(parsed->s2.normalization.mean, original.s2.normalization.mean);
  EXPECT_EQ(parsed->s2.normalization.std, original.s2.normalization.std);
  EXPECT_EQ(parsed->class_names, original.class_names);
  EXPECT_EQ(parsed->patch_size_px, 16);
  EXPECT_DOUBLE_EQ(parsed->pixel_size_m, 10.0);
  EXPECT_EQ(parsed->small_cnn_width, 4);
  EXPECT_EQ(parsed->projection_dim, 8);
  EXPECT_EQ(parsed->projection_hidden_dim, 16);
  EXPECT_EQ(Json::parse(parsed->training_json), Json::parse(original.training_json));
  EXPECT_EQ(Json::parse(parsed->provenance_json), Json::parse(original.provenance_json));
}

TEST(Manifest, JsonCarriesPatchSizeInMetres) {
  Json json = Json::parse(ManifestToJson(TinyManifest()));
  EXPECT_DOUBLE_EQ(json["patch"]["size_m"].get<double>(), 160.0);
  EXPECT_EQ(json["format"], "mosaic-model-bundle");
  EXPECT_EQ(json["format_version"], 1);
}

TEST(Manifest, AbsentModalityIsNull) {
  ModelManifest m = TinyManifest();
  m.s1 = ModalitySpec{};
  ASSERT_TRUE(ValidateManifest(m).ok());
  Json json = Json::parse(ManifestToJson(m));
  EXPECT_TRUE(json["s1"].is_null());
  StatusOr<ModelManifest> parsed = ManifestFromJson(json.dump());
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->s1.present());
}

TEST(Manifest, RejectsNewerFormatVersionAsUnsupported) {
  ExpectErrorMentions(ParseEdited([](Json& j) { j["format_version"] = 2; }),
                      StatusCode::kUnsupported, "version 2");
}

TEST(Manifest, RejectsForeignJson) {
  ExpectErrorMentions(ManifestFromJson(R"({"model": "resnet"})"), StatusCode::kCorruption,
                      "manifest.format");
  ExpectErrorMentions(ManifestFromJson("not json"), StatusCode::kCorruption, "not valid JSON");
  ExpectErrorMentions(ManifestFromJson("[1,2]"), StatusCode::kCorruption, "JSON object");
}

TEST(Manifest, WrongTypeNamesTheField) {
  ExpectErrorMentions(ParseEdited([](Json& j) { j["s2"]["normalization"]["std"][2] = "big"; }),
                      StatusCode::kCorruption, "manifest.s2.normalization.std[2]");
  ExpectErrorMentions(ParseEdited([](Json& j) { j["patch"]["size_px"] = 1.5; }),
                      StatusCode::kCorruption, "manifest.patch.size_px");
  ExpectErrorMentions(ParseEdited([](Json& j) { j.erase("classes"); }), StatusCode::kCorruption,
                      "manifest.classes: missing");
}

TEST(Manifest, BandAndNormalizationMismatch) {
  ExpectErrorMentions(ParseEdited([](Json& j) { j["s2"]["bands"].push_back("B11"); }),
                      StatusCode::kInvalidArgument, "expected 5 means and stds");
  ExpectErrorMentions(ParseEdited([](Json& j) { j["s2"]["bands"][0] = "B10"; }),
                      StatusCode::kNotFound, "unknown band 'B10'");
  ExpectErrorMentions(ParseEdited([](Json& j) { j["s1"]["bands"][0] = "B04"; }),
                      StatusCode::kInvalidArgument, "manifest.s1.bands");
  ExpectErrorMentions(ParseEdited([](Json& j) { j["s1"]["normalization"]["std"][1] = 0; }),
                      StatusCode::kInvalidArgument, "manifest.s1.normalization.std[1]");
}

TEST(Manifest, ArchitectureChecks) {
  ExpectErrorMentions(ParseEdited([](Json& j) { j["s2"]["encoder"] = "vit_b16"; }),
                      StatusCode::kInvalidArgument, "unknown encoder 'vit_b16'");
  ExpectErrorMentions(ParseEdited([](Json& j) {
                        j["s1"] = nullptr;
                        j["s2"] = nullptr;
                      }),
                      StatusCode::kInvalidArgument, "neither");
  ExpectErrorMentions(ParseEdited([](Json& j) { j["patch"]["size_px"] = 4; }),
                      StatusCode::kInvalidArgument, "manifest.patch.size_px");
}

TEST(Manifest, ClassChecks) {
  ExpectErrorMentions(ParseEdited([](Json& j) { j["classes"] = Json::array(); }),
                      StatusCode::kInvalidArgument, "manifest.classes");
  ExpectErrorMentions(ParseEdited([](Json& j) { j["classes"].push_back("Arable land"); }),
                      StatusCode::kInvalidArgument, "listed twice");
}

TEST(Manifest, DescribeListsBandsAndClasses) {
  const std::string text = DescribeManifest(TinyManifest());
  EXPECT_NE(text.find("tiny-test-model"), std::string::npos);
  EXPECT_NE(text.find("B08"), std::string::npos);
  EXPECT_NE(text.find("Inland waters"), std::string::npos);
  EXPECT_NE(text.find("16 x 16 px at 10 m (160 m)"), std::string::npos) << text;
}

}  // namespace
}  // namespace mosaic
