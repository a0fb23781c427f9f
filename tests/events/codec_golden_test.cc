// Golden bytes: the encoding of every event payload, the envelope, the record
// hash and the agent report is frozen here. A change to a .proto file or to
// the codec that alters these bytes would make old logs unreadable or change
// their hashes: that is a failing test, not a new golden value. (Adding a
// field leaves these samples' bytes unchanged.) The hex strings were produced
// once by the encoder and checked in.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "base/hash.h"
#include "events/codec.h"
#include "events/record.h"
#include "tests/events/sample_events.h"

namespace rotor::testing {
namespace {

struct Golden {
  const char* type;
  const char* hex;
};

// In the order of SampleEvents() (the Event variant's order).
const Golden kPayloads[] = {
    {"rotor.v1.CertificateRegistered",
     "0a40303132333435363738396162636465663031323334353637383961626364"
     "6566303132333435363738396162636465663031323334353637383961626364"
     "656610021a0d434e3d526f746f7220526f6f74220a434e3d436f72702043412a"
     "06306131623263321108ffffffffffffffffff011080cab5ee013a0b0880829a"
     "d706108094ef3a420d45432d7072696d6532353676314a043082010052076167"
     "656e742d37"},
    {"rotor.v1.ReplacementInitiated",
     "0a09726f6c6c6f75742d31124061616161616161616161616161616161616161"
     "6161616161616161616161616161616161616161616161616161616161616161"
     "616161616161616161616161611a403031323334353637383961626364656630"
     "3132333435363738396162636465663031323334353637383961626364656630"
     "31323334353637383961626364656620012802308407"},
    {"rotor.v1.CertificateStaged",
     "0a09726f6c6c6f75742d31124030313233343536373839616263646566303132"
     "3334353637383961626364656630313233343536373839616263646566303132"
     "333435363738396162636465661a0f64656661756c742d70726f66696c65"},
    {"rotor.v1.BindingsSwitched", "0a09726f6c6c6f75742d31109c1018d912"},
    {"rotor.v1.ReplacementCancelled",
     "0a09726f6c6c6f75742d31121177726f6e67206365727469666963617465"},
    {"rotor.v1.ReplacementFinalized",
     "0a09726f6c6c6f75742d31109c1018d91220012a156368616e67652077696e64"
     "6f7720636c6f73696e6732076167656e742d3332076167656e742d393801"},
    {"rotor.v1.RenewalInitiated",
     "0a09726f6c6c6f75742d3210021a406161616161616161616161616161616161"
     "6161616161616161616161616161616161616161616161616161616161616161"
     "61616161616161616161616161616122076167656e742d3122076167656e742d"
     "322a0467772d31"},
    {"rotor.v1.AgentCertificateRenewed",
     "0a09726f6c6c6f75742d3212076167656e742d311a4061616161616161616161"
     "6161616161616161616161616161616161616161616161616161616161616161"
     "6161616161616161616161616161616161616161616122403031323334353637"
     "3839616263646566303132333435363738396162636465663031323334353637"
     "3839616263646566303132333435363738396162636465662a04666630313206"
     "0880a59fd7063801420430820200"},
    {"rotor.v1.CertificateRevoked",
     "0a076167656e742d311240616161616161616161616161616161616161616161"
     "6161616161616161616161616161616161616161616161616161616161616161"
     "616161616161616161616118012204666630302a090880829ad70610e807"},
    {"rotor.v1.GatewayAutoRefreshChanged", "0a0467772d311001"},
    {"rotor.v1.GatewayRefreshRequired", "0a0467772d311209726f6c6c6f75742d311802"},
    {"rotor.v1.GatewayRefreshPerformed",
     "0a0467772d311209726f6c6c6f75742d311801220608bc829ad7062a05616c69"
     "6365"},
    {"rotor.v1.AgentInventoryReported",
     "0a087265706f72742d3112076167656e742d311a0c08ff819ad70610988cebdc"
     "0322406161616161616161616161616161616161616161616161616161616161"
     "6161616161616161616161616161616161616161616161616161616161616161"
     "6161612240303132333435363738396162636465663031323334353637383961"
     "6263646566303132333435363738396162636465663031323334353637383961"
     "62636465662a0467772d3132066265726c696e3801"},
    {"rotor.v1.AgentReportRejected",
     "0a087265706f72742d3212076167656e742d321a090880829ad70610d00f220f"
     "6261642066696e6765727072696e74"},
    {"rotor.v1.AgentFlaggedStale", "0a076167656e742d3312060880df94d7061a060880829ad7062080f524"},
    {"rotor.v1.AgentStaleCleared", "0a076167656e742d3312087265706f72742d331a060883829ad706"},
    {"rotor.v1.AgentResourceDeleted", "0a076167656e742d34120e6465636f6d6d697373696f6e6564"},
    {"rotor.v1.CommandRefused",
     "0a1346696e616c697a655265706c6163656d656e741209726f6c6c6f75742d31"
     "1a076167656e742d35223332206f662033206167656e74732068617665206e6f"
     "7420726563656976656420746865206e6577206365727469666963617465"},
};

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Each sample encodes to its golden bytes, and the golden bytes decode to it.
void ExpectGolden(const std::vector<Event>& samples, std::span<const Golden> golden) {
  ASSERT_EQ(golden.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(EventTypeName(samples[i]), golden[i].type);
    EXPECT_EQ(ToHex(EncodePayload(samples[i])), golden[i].hex) << golden[i].type;
    // Old bytes stay readable: the golden bytes decode to the sample.
    auto decoded = DecodePayload(golden[i].type, FromHex(golden[i].hex));
    ASSERT_TRUE(decoded.ok()) << golden[i].type << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, samples[i]) << golden[i].type;
  }
}

TEST(GoldenBytesTest, EveryEventPayload) { ExpectGolden(SampleEvents(), kPayloads); }

// Fields added after the first version (SampleAddedFieldEvents()): the first
// version's bytes, then the new field.
TEST(GoldenBytesTest, FieldsAddedLater) {
  // AgentInventoryReported, then field 8 (supersedes_future_report) = true.
  const std::string superseding = std::string(kPayloads[12].hex) + "4001";
  const Golden golden[] = {{"rotor.v1.AgentInventoryReported", superseding.c_str()}};
  ExpectGolden(SampleAddedFieldEvents(), golden);
}

constexpr char kEnvelopeHex[] =
    "082a1209726f6c6c6f75742d311807221d726f746f722e76312e5265706c6163"
    "656d656e7443616e63656c6c65642a0a0880829ad7061090a10f3205616c6963"
    "653a06636f72722d31420763617573652d314a066964656d2d31522000010203"
    "0405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f5a202fad"
    "e2da08048ed4819f836f887de51b1da9ecb66b098e95a95281ad85783a12620b"
    "0a09726f6c6c6f75742d31";
constexpr char kCanonicalHex[] =
    "082a1209726f6c6c6f75742d311807221d726f746f722e76312e5265706c6163"
    "656d656e7443616e63656c6c65642a0a0880829ad7061090a10f3205616c6963"
    "653a06636f72722d31420763617573652d314a066964656d2d31522000010203"
    "0405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f620b0a09"
    "726f6c6c6f75742d31";
constexpr char kRecordHashHex[] =
    "2fade2da08048ed4819f836f887de51b1da9ecb66b098e95a95281ad85783a12";

TEST(GoldenBytesTest, Envelope) {
  RecordedEvent record = SampleRecord();
  EXPECT_EQ(ToHex(EncodeEnvelope(record)), kEnvelopeHex);
  RecordedEvent decoded;
  ASSERT_TRUE(DecodeEnvelope(FromHex(kEnvelopeHex), &decoded).ok());
  EXPECT_EQ(decoded.sequence, 42u);
  EXPECT_EQ(decoded.stream_id, "rollout-1");
  EXPECT_EQ(decoded.hash, record.hash);
}

TEST(GoldenBytesTest, CanonicalBytesAndRecordHash) {
  RecordedEvent record = SampleRecord();
  EXPECT_EQ(ToHex(EncodeCanonical(record)), kCanonicalHex);
  EXPECT_EQ(ToHex(record.hash), kRecordHashHex);
}

constexpr char kAgentReportHex[] =
    "0a087265706f72742d3112076167656e742d311a0a0880829ad70610a0c21e22"
    "4061616161616161616161616161616161616161616161616161616161616161"
    "6161616161616161616161616161616161616161616161616161616161616161"
    "6122403031323334353637383961626364656630313233343536373839616263"
    "6465663031323334353637383961626364656630313233343536373839616263"
    "6465662a0467772d3132066265726c696e3801";

TEST(GoldenBytesTest, AgentReport) {
  EXPECT_EQ(ToHex(SerializeAgentReport(SampleAgentReport())), kAgentReportHex);
  auto parsed = ParseAgentReport(FromHex(kAgentReportHex));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, SampleAgentReport());
}

}  // namespace
}  // namespace rotor::testing
