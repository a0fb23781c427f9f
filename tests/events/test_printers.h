// gtest printers for Rotor's types, so that failures show "conflict" rather
// than "4-byte object <04-00 00-00>" and events as protobuf text. Included by
// every test file of this binary (printers must be the same in every
// translation unit). Test-only.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>

#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <variant>

#include "base/status.h"
#include "events/codec.h"
#include "events/event_types.h"
#include "tests/base/base_printers.h"

namespace rotor {

namespace test_printers_internal {

template <typename T, typename Variant>
struct IsAlternative;
template <typename T, typename... Ts>
struct IsAlternative<T, std::variant<Ts...>> : std::disjunction<std::is_same<T, Ts>...> {};

// The payload as protobuf text, e.g. "rollout_id: "r-1" reason: "...""
inline std::string PayloadText(std::string_view type, const std::string& payload) {
  namespace pb = ::google::protobuf;
  const pb::Descriptor* d =
      pb::DescriptorPool::generated_pool()->FindMessageTypeByName(std::string(type));
  if (d == nullptr) return "<unknown type>";
  std::unique_ptr<pb::Message> m(pb::MessageFactory::generated_factory()->GetPrototype(d)->New());
  if (!m->ParseFromString(payload)) return "<unparsable>";
  return m->ShortDebugString();
}

}  // namespace test_printers_internal

// Any event payload struct (an alternative of Event).
template <typename T>
requires test_printers_internal::IsAlternative<T, Event>::value void PrintTo(const T& event,
                                                                             std::ostream* os) {
  Event e(event);
  std::string_view type = EventTypeName(e);
  *os << type << " { " << test_printers_internal::PayloadText(type, EncodePayload(e)) << " }";
}

inline void PrintTo(const AgentReport& report, std::ostream* os) {
  *os << AgentReportToJson(report);
}

}  // namespace rotor
