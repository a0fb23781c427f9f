#include "tests/projections/history_gen.h"

#include <algorithm>
#include <random>

namespace rotor::projections::testing {
namespace {

class Generator {
 public:
  Generator(uint64_t seed, const HistoryShape& shape) : rng_(seed), shape_(shape) {
    last_report_.assign(shape.agents, 0);
  }

  std::vector<TimedEvent> Run() {
    std::vector<TimedEvent> out;
    int64_t now = 0;
    while (out.size() < shape_.events) {
      now += Pick(20) == 0 ? 7200 : static_cast<int64_t>(Pick(300));
      out.push_back({Next(now), At(now), Pick(4) == 0 ? "bob" : "alice"});
    }
    return out;
  }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(int percent) { return static_cast<int>(Pick(100)) < percent; }
  std::string Agent(size_t i) { return AgentId(i); }
  std::string AnyAgent() { return Agent(Pick(shape_.agents)); }
  std::string AnyFp() { return Fp("c" + std::to_string(Pick(shape_.fingerprints))); }
  std::string AnyRollout() { return "r" + std::to_string(Pick(shape_.rollouts)); }
  std::string AnyGateway() { return std::vector<std::string>{"", "gw-a", "gw-b"}[Pick(3)]; }
  GatewayRefreshStep AnyStep() { return static_cast<GatewayRefreshStep>(Pick(3)); }

  Event NewReport(int64_t now) {
    size_t a = Pick(shape_.agents);
    int64_t at = Chance(15) ? now - static_cast<int64_t>(Pick(3600)) : now;
    last_report_[a] = std::max(last_report_[a], at);
    std::vector<std::string> certs;
    for (size_t n = Pick(4); n > 0; --n) certs.push_back(AnyFp());
    if (Chance(5)) certs.push_back("");
    return Report(Agent(a), At(at), certs, AnyGateway(),
                  std::vector<std::string>{"", "paris", "lyon", "nice"}[Pick(4)], Chance(60));
  }

  Event Next(int64_t now) {
    size_t kind = Pick(100);
    if (kind < 40) return NewReport(now);
    if (kind < 48) {
      size_t a = Pick(shape_.agents);
      int64_t last = Chance(70) ? last_report_[a] : last_report_[a] - 100;
      return Flag(Agent(a), At(last), At(now));
    }
    if (kind < 51) return AgentStaleCleared{AnyAgent(), "rep", At(now)};
    if (kind < 55) return AgentResourceDeleted{AnyAgent(), "retired"};
    if (kind < 58) {
      return CertificateRevoked{Chance(70) ? AnyAgent() : "", AnyFp(), 1, "0a", At(now)};
    }
    if (kind < 62) {
      return Register(AnyFp(), static_cast<CertificateKind>(1 + Pick(4)),
                      At(now + static_cast<int64_t>(Pick(400)) * 86400), "CN=x",
                      Chance(30) ? AnyAgent() : "");
    }
    if (kind < 69) {
      std::string old_fp = AnyFp(), new_fp = AnyFp();
      return Replace(AnyRollout(), old_fp, new_fp,
                     Chance(30) ? ReplacementMode::kPreStaged : ReplacementMode::kDirect);
    }
    if (kind < 71) return CertificateStaged{AnyRollout(), AnyFp(), "default"};
    if (kind < 73) return BindingsSwitched{AnyRollout(), 1, 2};
    if (kind < 76) return ReplacementFinalized{AnyRollout(), 1, 2, Chance(50), "", {}, 0};
    if (kind < 78) return ReplacementCancelled{AnyRollout(), "changed my mind"};
    if (kind < 81) {
      std::vector<std::string> agents;
      if (Chance(50)) {
        for (size_t n = 1 + Pick(4); n > 0; --n) agents.push_back(AnyAgent());
      }
      bool gateway = Chance(20);
      return RenewalInitiated{AnyRollout(),
                              gateway ? RenewalTarget::kGatewayReportingCertificate
                                      : RenewalTarget::kCemAgentCertificates,
                              Chance(50) ? AnyFp() : "", agents, gateway ? AnyGateway() : ""};
    }
    if (kind < 86) {
      return AgentCertificateRenewed{AnyRollout(),          AnyAgent(), AnyFp(), AnyFp(), "0b",
                                     At(now + 86400 * 365), true,       ""};
    }
    if (kind < 91) return GatewayRefreshRequired{AnyGateway(), AnyRollout(), AnyStep()};
    if (kind < 96) {
      return GatewayRefreshPerformed{AnyGateway(), Chance(30) ? "" : AnyRollout(), AnyStep(),
                                     At(now), "carol"};
    }
    if (kind < 98) return GatewayAutoRefreshChanged{AnyGateway(), Chance(50)};
    return AgentReportRejected{"rep", AnyAgent(), At(now), "revoked"};
  }

  std::mt19937_64 rng_;
  HistoryShape shape_;
  std::vector<int64_t> last_report_;
};

}  // namespace

std::vector<TimedEvent> RandomHistory(uint64_t seed, const HistoryShape& shape) {
  return Generator(seed, shape).Run();
}

}  // namespace rotor::projections::testing
