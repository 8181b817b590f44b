#pragma once
// Read-only feature-store handles shared by the HTTP worker threads. A FeatureStore serialises its callers
// on one connection; each request borrows its own (opening another when all are busy) so page reads run in
// parallel and never wait on the review writer (SQLite WAL).
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "interp/feature_store.hpp"

namespace saerad::serve {

class StorePool {
 public:
  explicit StorePool(std::filesystem::path path) : path_(std::move(path)) {}

  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<FeatureStore> store) : pool_(pool), store_(std::move(store)) {}
    ~Lease() { pool_.give_back(std::move(store_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    FeatureStore& operator*() { return *store_; }
    FeatureStore* operator->() { return store_.get(); }

   private:
    StorePool& pool_;
    std::unique_ptr<FeatureStore> store_;
  };

  Lease borrow();
  const std::filesystem::path& path() const { return path_; }

 private:
  void give_back(std::unique_ptr<FeatureStore> store);
  std::filesystem::path path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<FeatureStore>> idle_;
};

}  // namespace saerad::serve
