// Signed notes (services/transparency/note.h), checked against the example
// key and note published with Go's golang.org/x/mod/sumdb/note: Ed25519 is
// deterministic, so signing the same text with the same key must give the
// same bytes as Go's implementation.
#include "services/transparency/note.h"

#include <gtest/gtest.h>

namespace rotor::transparency {
namespace {

const char kGoSignerKey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const char kGoVerifierKey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const char kGoText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
const char kGoNote[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

TEST(Note, SignsExactlyAsGoDoes) {
  Result<NoteSigner> signer = NoteSigner::Parse(kGoSignerKey);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->VerifierKey(), kGoVerifierKey);
  EXPECT_EQ(signer->SignerKey(), kGoSignerKey);
  Result<std::string> note = signer->Sign(kGoText);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(*note, kGoNote);
}

TEST(Note, OpensGoNoteAndRefusesATamperedOne) {
  Result<NoteVerifier> verifier = NoteVerifier::Parse(kGoVerifierKey);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  Result<std::string> text = verifier->Open(kGoNote);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, kGoText);

  std::string tampered = kGoNote;
  tampered[3] = 'Y';
  EXPECT_EQ(verifier->Open(tampered).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(verifier->Open("no signatures\n").status().code(), StatusCode::kInvalidArgument);
}

TEST(Note, AKeyOfTheSameNameButAnotherSecretDoesNotVerify) {
  Result<NoteSigner> impostor = NoteSigner::Generate("PeterNeumann");
  ASSERT_TRUE(impostor.ok());
  Result<std::string> note = impostor->Sign(kGoText);
  ASSERT_TRUE(note.ok());
  Result<NoteVerifier> verifier = NoteVerifier::Parse(kGoVerifierKey);
  Result<std::string> opened = verifier->Open(*note);
  EXPECT_EQ(opened.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(opened.status().message().find("no signature by 'PeterNeumann'"), std::string::npos)
      << opened.status().ToString();
}

TEST(Note, GeneratedKeysRoundTrip) {
  // Twenty keys: base64 holds '+' about every other key, which must not be
  // taken for a field separator.
  for (int i = 0; i < 20; ++i) {
    Result<NoteSigner> signer = NoteSigner::Generate("rotor.example/log");
    ASSERT_TRUE(signer.ok());
    Result<NoteSigner> again = NoteSigner::Parse(signer->SignerKey() + "\n");
    ASSERT_TRUE(again.ok()) << again.status().ToString() << " " << signer->SignerKey();
    EXPECT_EQ(again->VerifierKey(), signer->VerifierKey());
    Result<NoteVerifier> verifier = NoteVerifier::Parse(signer->VerifierKey());
    ASSERT_TRUE(verifier.ok()) << verifier.status().ToString() << " " << signer->VerifierKey();
    EXPECT_EQ(verifier->Key(), signer->VerifierKey());
    Result<std::string> note = again->Sign("line one\nline two\n");
    ASSERT_TRUE(note.ok());
    EXPECT_EQ(*verifier->Open(*note), "line one\nline two\n");
  }
}

TEST(Note, BadKeysAndTextAreRefusedWithTheReason) {
  EXPECT_EQ(NoteSigner::Generate("has space").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NoteSigner::Generate("a+b").status().code(), StatusCode::kInvalidArgument);
  Result<NoteVerifier> wrong_hash =
      NoteVerifier::Parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  EXPECT_NE(wrong_hash.status().message().find("key hash does not match"), std::string::npos);
  EXPECT_EQ(NoteVerifier::Parse("just-a-name").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NoteSigner::Parse(kGoVerifierKey).status().code(), StatusCode::kInvalidArgument);
  Result<NoteSigner> signer = NoteSigner::Parse(kGoSignerKey);
  EXPECT_EQ(signer->Sign("no newline").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(signer->Sign("a\n\nb\n").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rotor::transparency
