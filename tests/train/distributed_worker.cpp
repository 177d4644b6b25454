// One rank (or a single process) of the data-parallel training test
// (distributed_training_test.cpp): trains the tiny test model on the easy
// in-memory dataset and writes its weights, whatever its rank, to a bundle.
//
//   mosaic_distributed_worker OUT.mosaic STEPS [RANK WORLD PORT]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mosaic/model_bundle.h"
#include "mosaic/train/trainer.h"
#include "train/train_test_util.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 6) {
    std::fprintf(stderr, "usage: %s OUT.mosaic STEPS [RANK WORLD PORT]\n", argv[0]);
    return 2;
  }
  mosaic::train::TrainOptions options = mosaic::train::testing::TinyTrainOptions();
  options.optimization.max_steps = std::atoi(argv[2]);
  // Plain SGD: AdamW turns the rounding noise of gradients that are zero in
  // exact arithmetic (a bias in front of BatchNorm) into full-size steps, which
  // would hide what the test compares.
  options.optimization.optimizer = "sgd";
  options.optimization.momentum = 0.9;
  options.optimization.batch_size = 8;  // global
  // Label-aware batches (data/batch_composition.h): a few labelled samples in
  // every global batch, spread over the ranks.
  if (const char* k = std::getenv("MOSAIC_TEST_LABELLED_PER_BATCH")) {
    options.optimization.label_fraction = 0.15;
    options.optimization.labelled_per_batch = std::atoi(k);
  }
  if (argc == 6) {
    options.optimization.distributed.rank = std::atoi(argv[3]);
    options.optimization.distributed.world_size = std::atoi(argv[4]);
    options.optimization.distributed.master_port = std::atoi(argv[5]);
    options.optimization.distributed.timeout_s = 60;
  }
  auto trainer = mosaic::train::Trainer::Create(mosaic::train::testing::EasyDataset(64), options);
  if (!trainer.ok()) {
    std::fprintf(stderr, "%s\n", trainer.status().ToString().c_str());
    return 1;
  }
  auto summary = (*trainer)->Run();
  if (!summary.ok()) {
    std::fprintf(stderr, "%s\n", summary.status().ToString().c_str());
    return 1;
  }
  mosaic::Status saved =
      mosaic::SaveModelBundle(argv[1], (*trainer)->manifest(), (*trainer)->model());
  if (!saved.ok()) {
    std::fprintf(stderr, "%s\n", saved.ToString().c_str());
    return 1;
  }
  std::printf("loss %.9g\n", summary->final_losses["total"]);
  return 0;
}
