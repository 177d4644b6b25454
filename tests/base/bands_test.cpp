#include "mosaic/bands.h"

#include <gtest/gtest.h>

#include "mosaic/label_sets.h"

namespace mosaic {
namespace {

TEST(Bands, RegistryHoldsS1AndTwelveS2BandsInBigEarthNetOrder) {
  EXPECT_EQ(ModalityBands(Modality::kS1), (std::vector<std::string>{"VV", "VH"}));
  EXPECT_EQ(ModalityBands(Modality::kS2),
            (std::vector<std::string>{"B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A",
                                      "B09", "B11", "B12"}));
}

TEST(Bands, NativeResolutionsFollowSentinel2Specification) {
  for (const char* name : {"B02", "B03", "B04", "B08", "VV", "VH"}) {
    EXPECT_EQ(FindBand(name)->native_resolution_m, 10) << name;
  }
  for (const char* name : {"B05", "B06", "B07", "B8A", "B11", "B12"}) {
    EXPECT_EQ(FindBand(name)->native_resolution_m, 20) << name;
  }
  for (const char* name : {"B01", "B09"}) EXPECT_EQ(FindBand(name)->native_resolution_m, 60);
}

TEST(Bands, B10IsNotAnL2ABand) {
  StatusOr<BandInfo> band = FindBand("B10");
  ASSERT_FALSE(band.ok());
  EXPECT_EQ(band.status().code(), StatusCode::kNotFound);
  EXPECT_NE(band.status().message().find("B8A"), std::string::npos)
      << "the error should list the valid bands: " << band.status().message();
}

TEST(Bands, NamedSets) {
  EXPECT_EQ(*BandSet("s2-10"), (std::vector<std::string>{"B02", "B03", "B04", "B05", "B06", "B07",
                                                         "B08", "B8A", "B11", "B12"}));
  EXPECT_EQ(*BandSet("s2-rgb"), (std::vector<std::string>{"B04", "B03", "B02"}));
  EXPECT_EQ(BandSet("s2-all")->size(), 12u);
  EXPECT_FALSE(BandSet("landsat").ok());
}

TEST(Bands, ResolveAcceptsSetNamesAndLists) {
  EXPECT_EQ(*ResolveBands("s1", Modality::kS1), (std::vector<std::string>{"VV", "VH"}));
  EXPECT_EQ(*ResolveBands("B08, B04", Modality::kS2), (std::vector<std::string>{"B08", "B04"}));
}

TEST(Bands, ResolveRejectsWrongModalityDuplicatesAndUnknown) {
  StatusOr<std::vector<std::string>> wrong = ResolveBands("VV,B04", Modality::kS2);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("'VV' is a s1 band"), std::string::npos)
      << wrong.status().message();
  StatusOr<std::vector<std::string>> duplicate = ResolveBands("B04,B04", Modality::kS2);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("listed twice"), std::string::npos);
  EXPECT_FALSE(ResolveBands("B13", Modality::kS2).ok());
  EXPECT_FALSE(ResolveBands("", Modality::kS2).ok());
}

TEST(Bands, DefaultNormalizationHasOnePositiveStdPerBand) {
  BandNormalization norm = DefaultNormalization(*BandSet("s2-all"));
  ASSERT_EQ(norm.mean.size(), 12u);
  ASSERT_EQ(norm.std.size(), 12u);
  for (double s : norm.std) EXPECT_GT(s, 0);
  // S1 statistics are in dB: backscatter means are negative.
  BandNormalization s1 = DefaultNormalization({"VV", "VH"});
  EXPECT_LT(s1.mean[0], 0);
  EXPECT_LT(s1.mean[1], s1.mean[0]) << "VH is weaker than VV";
}

TEST(LabelSets, BigEarthNet19) {
  const auto& classes = BigEarthNet19Classes();
  ASSERT_EQ(classes.size(), 19u);
  EXPECT_EQ(classes.front(), "Urban fabric");
  EXPECT_EQ(classes[9], "Coniferous forest");
  EXPECT_EQ(classes.back(), "Marine waters");
  EXPECT_EQ(LabelSet("sen12ms-igbp10")->size(), 10u);
  EXPECT_FALSE(LabelSet("corine43").ok());
}

}  // namespace
}  // namespace mosaic

namespace mosaic {
namespace {

TEST(LabelSets, BigEarthNet43To19MappingByHand) {
  ASSERT_EQ(BigEarthNet43Classes().size(), 43u);
  const auto& c19 = BigEarthNet19Classes();
  auto mapped = [&](const std::string& name) -> std::string {
    StatusOr<int> index = MapBigEarthNet43To19(name);
    EXPECT_TRUE(index.ok()) << name;
    return *index < 0 ? std::string("<dropped>") : c19[*index];
  };
  EXPECT_EQ(mapped("Continuous urban fabric"), "Urban fabric");
  EXPECT_EQ(mapped("Discontinuous urban fabric"), "Urban fabric");
  EXPECT_EQ(mapped("Non-irrigated arable land"), "Arable land");
  EXPECT_EQ(mapped("Rice fields"), "Arable land");
  EXPECT_EQ(mapped("Annual crops associated with permanent crops"), "Permanent crops");
  EXPECT_EQ(mapped("Olive groves"), "Permanent crops");
  EXPECT_EQ(mapped("Sparsely vegetated areas"), "Natural grassland and sparsely vegetated areas");
  EXPECT_EQ(mapped("Sclerophyllous vegetation"), "Moors, heathland and sclerophyllous vegetation");
  EXPECT_EQ(mapped("Transitional woodland/shrub"), "Transitional woodland, shrub");
  EXPECT_EQ(mapped("Peatbogs"), "Inland wetlands");
  EXPECT_EQ(mapped("Salines"), "Coastal wetlands");
  EXPECT_EQ(mapped("Water bodies"), "Inland waters");
  EXPECT_EQ(mapped("Estuaries"), "Marine waters");
  for (const char* dropped :
       {"Road and rail networks and associated land", "Port areas", "Airports",
        "Mineral extraction sites", "Dump sites", "Construction sites", "Green urban areas",
        "Sport and leisure facilities", "Bare rock", "Burnt areas", "Intertidal flats"}) {
    EXPECT_EQ(mapped(dropped), "<dropped>") << dropped;
  }
  // Every one of the 19 classes is reached by at least one of the 43.
  std::vector<int> hits(19, 0);
  for (const auto& name : BigEarthNet43Classes()) {
    const int index = *MapBigEarthNet43To19(name);
    if (index >= 0) ++hits[index];
  }
  for (int i = 0; i < 19; ++i) EXPECT_GT(hits[i], 0) << c19[i];
  EXPECT_EQ(MapBigEarthNet43To19("Lava fields").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mosaic
