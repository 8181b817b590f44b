#include "serve/store_pool.hpp"

namespace saerad::serve {

StorePool::Lease StorePool::borrow() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(store));
    }
  }
  return Lease(*this, std::make_unique<FeatureStore>(path_, FeatureStore::Mode::ReadOnly));
}

void StorePool::give_back(std::unique_ptr<FeatureStore> store) {
  if (!store) return;
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(store));
}

}  // namespace saerad::serve
