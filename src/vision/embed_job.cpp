// The resumable embedding run (see embed_job.hpp).
#include "vision/embed_job.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/embeddings.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/progress.hpp"
#include "core/provenance.hpp"
#include "core/safetensors.hpp"
#include "core/strings.hpp"
#include "vision/dinov2_encoder.hpp"

namespace saerad {
namespace fs = std::filesystem;

fs::path patches_path_for(const fs::path& out) {
  fs::path p = out;
  return p.replace_extension(".patches.safetensors");
}
fs::path failures_path_for(const fs::path& out) { return fs::path(out.string() + ".failures.csv"); }
fs::path parts_dir_for(const fs::path& out) { return fs::path(out.string() + ".parts"); }

std::string fingerprint_inputs(const std::vector<EmbedInput>& inputs) {
  std::string material;
  for (const auto& input : inputs) material += input.path.string() + '\t' + input.image_id + '\t' + input.study_id + '\n';
  return fingerprint_text(material);
}

Json EmbedSummary::to_json() const {
  return {{"out", out.string()},
          {"patches", patches.empty() ? Json(nullptr) : Json(patches.string())},
          {"failures", failures.empty() ? Json(nullptr) : Json(failures.string())},
          {"total", total},
          {"embedded", embedded},
          {"failed", failed},
          {"resumed", resumed},
          {"seconds", seconds},
          {"images_per_second", seconds > 0 ? double(embedded) / seconds : 0.0}};
}

namespace {

struct Failure {
  std::string path, image_id, reason;
};

// journal.jsonl: a header line (what the parts were made from), then one line per finished part.
class Journal {
 public:
  explicit Journal(fs::path path) : path_(std::move(path)) {}
  void append(const Json& line) {
    const std::string text = line.dump() + "\n";
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) fail("{}: cannot open the journal: {}", path_, std::strerror(errno));
    const bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) fail("{}: cannot write the journal: {}", path_, std::strerror(errno));
  }
  // Parsed lines; a torn last line (a kill mid-append) is dropped.
  std::vector<Json> read() const {
    std::vector<Json> lines;
    const auto parts = split(read_text_file(path_), '\n');
    for (size_t i = 0; i < parts.size(); ++i) {
      if (trim(parts[i]).empty()) continue;
      Json j = Json::parse(parts[i], nullptr, false);
      if (j.is_discarded()) {
        if (i + 2 >= parts.size()) break;  // the last (possibly unterminated) line
        fail_input("{}:{}: corrupt journal line; remove the parts folder to start over", path_, i + 1);
      }
      lines.push_back(std::move(j));
    }
    return lines;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string part_name(size_t index) { return fmt::format("part-{:06d}.safetensors", index); }

// One part's rows in memory until it is written.
struct PartBuffer {
  std::vector<float> vectors;   // [rows, d]
  std::vector<uint16_t> half;   // [rows, T, d] F16/BF16 patch tokens
  std::vector<float> tokens;    // [rows, T, d] F32 patch tokens
  std::vector<std::string> ids, study_ids;
  std::vector<Failure> failures;
};

void write_part(const fs::path& path, const PartBuffer& part, int64_t d, int64_t tokens, bool patch_tokens,
                DType patch_dtype) {
  SafetensorsWriter writer;
  const int64_t rows = int64_t(part.ids.size());
  writer.add_borrowed("embeddings", DType::F32, {rows, d}, part.vectors.data(), part.vectors.size() * 4);
  if (patch_tokens) {
    if (patch_dtype == DType::F32)
      writer.add_borrowed("last_hidden_state", DType::F32, {rows, tokens, d}, part.tokens.data(), part.tokens.size() * 4);
    else
      writer.add_borrowed("last_hidden_state", patch_dtype, {rows, tokens, d}, part.half.data(), part.half.size() * 2);
  }
  writer.set_metadata("ids", Json(part.ids).dump());
  writer.set_metadata("study_ids", Json(part.study_ids).dump());
  writer.write(path);
}

Json failures_json(const std::vector<Failure>& failures) {
  Json j = Json::array();
  for (const auto& f : failures) j.push_back({f.path, f.image_id, f.reason});
  return j;
}

// Testing hook: SAERAD_TEST_ABORT_AFTER_PARTS=n ends the process abruptly (as a kill would) after n parts.
int abort_after_parts() {
  const char* value = std::getenv("SAERAD_TEST_ABORT_AFTER_PARTS");
  return value ? std::atoi(value) : 0;
}

}  // namespace

EmbedSummary run_embed(ImageEncoder& encoder, const EmbedOptions& options) {
  if (options.inputs.empty()) fail_input("nothing to embed: no input images");
  if (options.batch < 1 || options.part_size < 1) fail_input("--batch and --part-size must be at least 1");
  auto* dinov2 = dynamic_cast<Dinov2Encoder*>(&encoder);
  if (options.patch_tokens && !dinov2) fail_input("--patch-tokens needs a DINOv2 model (--model DIR)");
  const int64_t d = encoder.dim();
  const int64_t tokens = options.patch_tokens ? dinov2->fixed_tokens() : 0;
  if (options.patch_tokens && tokens == 0)
    fail_input("--patch-tokens needs a preprocessor with a centre crop (every image the same size)");

  const size_t n = options.inputs.size(), part_size = size_t(options.part_size);
  const size_t part_count = (n + part_size - 1) / part_size;
  const fs::path parts_dir = parts_dir_for(options.out);
  Journal journal(parts_dir / "journal.jsonl");
  const Json header = {{"kind", "header"},
                       {"version", 1},
                       {"model", encoder.fingerprint()},
                       {"inputs", fingerprint_inputs(options.inputs)},
                       {"count", n},
                       {"part_size", part_size},
                       {"patch_tokens", options.patch_tokens},
                       {"patch_dtype", std::string(dtype_name(options.patch_dtype))}};

  // Parts already finished (by an earlier, interrupted run) and their failures.
  std::map<size_t, std::vector<Failure>> done;
  if (fs::exists(journal.path())) {
    if (!options.resume)
      fail_input("{} holds the parts of an earlier run: pass --resume to continue it, or delete the folder to start "
                 "over", parts_dir);
    const std::vector<Json> lines = journal.read();
    if (lines.empty() || lines[0] != header)
      fail_input("{}: these parts were made with another model, input list or part size; delete the folder to start "
                 "over", parts_dir);
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t index = lines[i].at("index").get<size_t>();
      if (!fs::exists(parts_dir / part_name(index))) continue;
      std::vector<Failure> failures;
      for (const auto& f : lines[i].at("failures")) failures.push_back({f[0], f[1], f[2]});
      done[index] = std::move(failures);
    }
  } else {
    fs::create_directories(parts_dir);
    journal.append(header);
  }

  EmbedSummary summary;
  summary.total = n;
  summary.out = options.out;
  for (const auto& [index, failures] : done) summary.resumed += std::min(part_size, n - index * part_size);
  if (summary.resumed > 0) log_info(fmt::format("resuming: {} of {} images already embedded in {} parts", summary.resumed, n, done.size()));

  Progress progress("embed", int64_t(n - summary.resumed), "images");
  const int abort_after = abort_after_parts();
  int parts_written = 0;
  for (size_t part_index = 0; part_index < part_count; ++part_index) {
    if (done.count(part_index)) continue;
    const size_t begin = part_index * part_size, end = std::min(n, begin + part_size);
    PartBuffer part;
    for (size_t batch_begin = begin; batch_begin < end; batch_begin += size_t(options.batch)) {
      const size_t batch_end = std::min(end, batch_begin + size_t(options.batch));
      const size_t count = batch_end - batch_begin;
      std::vector<Image> images(count);
      std::vector<std::string> errors(count);
#pragma omp parallel for schedule(dynamic, 1)
      for (size_t i = 0; i < count; ++i) {
        try {
          images[i] = read_image(options.inputs[batch_begin + i].path);
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      }
      std::vector<Image> ok;
      for (size_t i = 0; i < count; ++i) {
        const EmbedInput& input = options.inputs[batch_begin + i];
        if (!errors[i].empty()) {
          part.failures.push_back({input.path.string(), input.image_id, errors[i]});
          continue;
        }
        ok.push_back(std::move(images[i]));
        part.ids.push_back(input.image_id);
        part.study_ids.push_back(input.study_id);
      }
      const size_t rows_before = part.vectors.size() / size_t(d);
      part.vectors.resize((rows_before + ok.size()) * size_t(d));
      float* vectors = part.vectors.data() + rows_before * size_t(d);
      if (options.patch_tokens) {
        std::vector<float> hidden(ok.size() * size_t(tokens * d));
        dinov2->encode_with_tokens(ok, vectors, hidden.data());
        if (options.patch_dtype == DType::F32) {
          part.tokens.insert(part.tokens.end(), hidden.begin(), hidden.end());
        } else {
          for (float v : hidden) part.half.push_back(options.patch_dtype == DType::F16 ? f32_to_f16(v) : f32_to_bf16(v));
        }
      } else if (!ok.empty()) {
        encoder.encode(ok, vectors);
      }
      progress.advance(int64_t(count));
    }
    write_part(parts_dir / part_name(part_index), part, d, tokens, options.patch_tokens, options.patch_dtype);
    journal.append({{"kind", "part"}, {"index", part_index}, {"first", begin}, {"count", end - begin},
                    {"rows", part.ids.size()}, {"failures", failures_json(part.failures)}});
    done[part_index] = std::move(part.failures);
    if (abort_after > 0 && ++parts_written == abort_after) std::_Exit(137);
  }
  progress.finish();

  // Join the parts in input order.
  Embeddings joined;
  joined.model = encoder.fingerprint();
  joined.preprocess = encoder.preprocess_settings();
  std::vector<float> all_vectors;
  std::vector<uint8_t> all_tokens;
  std::vector<Failure> failures;
  for (size_t part_index = 0; part_index < part_count; ++part_index) {
    const SafetensorsFile file = SafetensorsFile::open(parts_dir / part_name(part_index));
    const TensorView& vectors = file.get("embeddings");
    const auto values = vectors.to_f32();
    all_vectors.insert(all_vectors.end(), values.begin(), values.end());
    for (const auto& id : parse_json(file.metadata_or("ids"), "part ids")) joined.ids.push_back(id);
    for (const auto& id : parse_json(file.metadata_or("study_ids"), "part study_ids")) joined.study_ids.push_back(id);
    if (options.patch_tokens) {
      const TensorView& hidden = file.get("last_hidden_state");
      const auto* bytes = reinterpret_cast<const uint8_t*>(hidden.data);
      all_tokens.insert(all_tokens.end(), bytes, bytes + hidden.nbytes);
    }
    for (auto& f : done[part_index]) failures.push_back(std::move(f));
  }
  const int64_t rows = int64_t(joined.ids.size());
  summary.embedded = size_t(rows);
  summary.failed = failures.size();

  const fs::path failures_path = failures_path_for(options.out);
  if (!failures.empty()) {
    std::string csv = csv_line({"path", "image_id", "reason"});
    for (const auto& f : failures) csv += csv_line({f.path, f.image_id, f.reason});
    write_file_atomic(failures_path, csv);
    summary.failures = failures_path;
  } else {
    fs::remove(failures_path);
  }
  if (rows == 0) fail_input("no image could be embedded ({} failed; see {})", failures.size(), failures_path);

  joined.vectors.rows = rows;
  joined.vectors.cols = d;
  joined.vectors.data = std::move(all_vectors);
  if (options.shard) {
    joined.metadata["shard"] = options.shard->to_string();
    joined.metadata["shard_of"] = options.all_inputs_fingerprint;
  }
  Provenance provenance;
  provenance.input("model", encoder.fingerprint());
  for (const auto& [key, value] : options.inputs_provenance.items()) provenance.input(key, value);
  write_embeddings(options.out, joined, provenance);
  if (options.patch_tokens) {
    SafetensorsWriter writer;
    writer.add_borrowed("last_hidden_state", options.patch_dtype, {rows, tokens, d}, all_tokens.data(), all_tokens.size());
    writer.set_metadata("ids", Json(joined.ids).dump());
    writer.set_metadata("study_ids", Json(joined.study_ids).dump());
    writer.set_metadata("model", joined.model);
    writer.set_metadata("preprocess", joined.preprocess.dump());
    writer.set_metadata("provenance", provenance.dump());
    summary.patches = patches_path_for(options.out);
    writer.write(summary.patches);
  }
  if (!options.keep_parts) fs::remove_all(parts_dir);
  summary.seconds = progress.elapsed_seconds();
  return summary;
}

}  // namespace saerad
