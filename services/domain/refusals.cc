#include "services/domain/refusals.h"

#include <type_traits>

namespace rotor::domain {
namespace {

// The recorded lifecycle commands.
template <typename C>
constexpr bool kIsLifecycle =
    std::is_same_v<C, FinalizeReplacement> || std::is_same_v<C, CancelReplacement> ||
    std::is_same_v<C, SwitchBindings> || std::is_same_v<C, RevokeAgentCertificate> ||
    std::is_same_v<C, DeleteAgentResource>;

}  // namespace

bool IsRecordedRefusal(const Command& command, const Status& refusal) {
  if (refusal.code() != StatusCode::kFailedPrecondition) return false;
  return std::visit([](const auto& c) { return kIsLifecycle<std::decay_t<decltype(c)>>; }, command);
}

std::optional<Decision> RefusalRecord(const Command& command, const Status& refusal) {
  if (!IsRecordedRefusal(command, refusal)) return std::nullopt;
  return std::visit(
      [&](const auto& c) -> std::optional<Decision> {
        using C = std::decay_t<decltype(c)>;
        if constexpr (kIsLifecycle<C>) {
          CommandRefused record{std::string(CommandName(command)), "", "", refusal.message()};
          if constexpr (requires { c.rollout_id; }) {
            record.rollout_id = c.rollout_id;
          } else {
            record.agent_id = c.agent_id;
          }
          Decision d(c.actor, c.now);
          d.Add(std::move(record));
          return d;
        } else {
          return std::nullopt;
        }
      },
      command);
}

}  // namespace rotor::domain
