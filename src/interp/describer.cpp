#include "interp/describer.hpp"

#include "core/error.hpp"

namespace saerad {

void Describer::describe_all(std::span<const DescriberInput> inputs,
                             const std::function<void(size_t, DescribeOutcome)>& done) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    DescribeOutcome outcome;
    try {
      outcome.description = describe(inputs[i]);
    } catch (const Error& e) {
      outcome.error = e.what();
    }
    done(i, std::move(outcome));
  }
}

}  // namespace saerad
