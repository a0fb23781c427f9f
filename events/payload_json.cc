#include "events/payload_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <memory>

// The generated messages register themselves in the generated pool; these
// includes link them in.
#include "rotor/v1/events.pb.h"

namespace rotor {
namespace {

namespace pb = ::google::protobuf;

// A new, empty message of `event_type`. Errors: kInvalidArgument for a type
// this build does not know.
Result<std::unique_ptr<pb::Message>> NewPayload(std::string_view event_type) {
  const pb::Descriptor* descriptor =
      pb::DescriptorPool::generated_pool()->FindMessageTypeByName(std::string(event_type));
  const pb::Message* prototype =
      descriptor == nullptr ? nullptr
                            : pb::MessageFactory::generated_factory()->GetPrototype(descriptor);
  if (prototype == nullptr) {
    return Status::InvalidArgument("unknown event type " + std::string(event_type));
  }
  return std::unique_ptr<pb::Message>(prototype->New());
}

}  // namespace

Result<std::string> PayloadToJson(std::string_view event_type, std::string_view payload) {
  Result<std::unique_ptr<pb::Message>> message = NewPayload(event_type);
  if (!message.ok()) return message.status();
  if (!(*message)->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Status::InvalidArgument("payload does not parse as " + std::string(event_type));
  }
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  auto status = pb::util::MessageToJsonString(**message, &text, options);
  if (!status.ok()) {
    return Status::InvalidArgument(std::string(event_type) +
                                   " as JSON: " + status.message().ToString());
  }
  return text;
}

Result<std::string> PayloadFromJson(std::string_view event_type, std::string_view json) {
  Result<std::unique_ptr<pb::Message>> message = NewPayload(event_type);
  if (!message.ok()) return message.status();
  auto status =
      pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), message->get());
  if (!status.ok()) return Status::InvalidArgument("payload: " + status.message().ToString());
  std::string bytes;
  if (!(*message)->SerializeToString(&bytes)) {
    return Status::Internal("cannot serialize the payload");
  }
  return bytes;
}

}  // namespace rotor
