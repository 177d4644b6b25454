// Private: a bounded hand-off between pipeline stages that delivers items in
// sequence order, whichever producer finished first. Producers block while
// their item is more than `capacity` ahead of the consumer, so memory stays
// bounded; Close() wakes everyone (for errors and cancellation).
#ifndef MOSAIC_GEO_ORDERED_QUEUE_H_
#define MOSAIC_GEO_ORDERED_QUEUE_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>

namespace mosaic::geo::internal {

template <typename T>
class OrderedQueue {
 public:
  explicit OrderedQueue(int64_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // Blocks until `seq` is within capacity of the consumer. False if closed.
  bool Push(int64_t seq, T item) {
    std::unique_lock<std::mutex> lock(mutex_);
    space_.wait(lock, [&] { return closed_ || seq < next_ + capacity_; });
    if (closed_) return false;
    items_.emplace(seq, std::move(item));
    ready_.notify_all();
    return true;
  }

  // Blocks until the next item in sequence arrives. False if closed.
  bool Pop(T* item) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || items_.count(next_) != 0; });
    if (closed_) return false;
    auto it = items_.find(next_);
    *item = std::move(it->second);
    items_.erase(it);
    ++next_;
    space_.notify_all();
    return true;
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    ready_.notify_all();
    space_.notify_all();
  }

 private:
  const int64_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::map<int64_t, T> items_;
  int64_t next_ = 0;
  bool closed_ = false;
};

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_ORDERED_QUEUE_H_
