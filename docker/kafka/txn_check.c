/* Transactions through the system librdkafka against a real broker: commit, abort,
 * a read_committed consumer that must see only committed records, and consumer
 * offsets committed inside a transaction (consume-transform-produce).
 * Built and run by `docker/kafka/kafka.sh smoke DIR` when cc and librdkafka-dev
 * are installed:  cc -o txn_check txn_check.c $(pkg-config --cflags --libs rdkafka)
 * usage: txn_check BOOTSTRAP TOPIC   (TOPIC exists and is empty) */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die_err(const char *what, rd_kafka_error_t *e) {
  fprintf(stderr, "FAIL %s: %s (%s)\n", what, rd_kafka_error_string(e), rd_kafka_error_name(e));
  exit(1);
}
#define CHK(what, call) do { rd_kafka_error_t *e_ = (call); if (e_) die_err(what, e_); } while (0)

static void set(rd_kafka_conf_t *c, const char *k, const char *v) {
  char err[512];
  if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) { fprintf(stderr, "conf %s: %s\n", k, err); exit(1); }
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s BOOTSTRAP TOPIC\n", argv[0]); return 2; }
  const char *bs = argv[1], *topic = argv[2];
  char err[512];
  printf("librdkafka %s\n", rd_kafka_version_str());
  rd_kafka_conf_t *c = rd_kafka_conf_new();
  set(c, "bootstrap.servers", bs);
  char txid[64], group[64];
  snprintf(txid, sizeof txid, "rotor-txn-check-%s", topic);
  snprintf(group, sizeof group, "rotor-txn-check-%s", topic);
  set(c, "transactional.id", txid);
  rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
  if (!p) { fprintf(stderr, "%s\n", err); return 1; }
  CHK("init_transactions", rd_kafka_init_transactions(p, 30000));
  for (int round = 0; round < 3; round++) {
    CHK("begin", rd_kafka_begin_transaction(p));
    for (int i = 0; i < 10; i++) {
      char v[64]; snprintf(v, sizeof v, "%s-%d-%d", round == 1 ? "aborted" : "committed", round, i);
      rd_kafka_resp_err_t r = rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(v, strlen(v)),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (r) { fprintf(stderr, "FAIL produce: %s\n", rd_kafka_err2str(r)); return 1; }
    }
    if (round == 1) { CHK("abort", rd_kafka_abort_transaction(p, 30000)); printf("round %d aborted\n", round); }
    else { CHK("commit", rd_kafka_commit_transaction(p, 30000)); printf("round %d committed\n", round); }
  }
  /* consume-transform-produce: offsets committed inside a transaction */
  rd_kafka_conf_t *cc = rd_kafka_conf_new();
  set(cc, "bootstrap.servers", bs); set(cc, "group.id", group);
  set(cc, "isolation.level", "read_committed"); set(cc, "auto.offset.reset", "earliest");
  set(cc, "enable.auto.commit", "false");
  rd_kafka_t *k = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof err);
  rd_kafka_poll_set_consumer(k);
  rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(k, sub);
  int got = 0, aborted_seen = 0, idle = 0;
  while (idle < 6) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(k, 1000);
    if (!m) { if (got) idle++; else if (++idle > 30) break; continue; }
    if (m->err) { if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m)); rd_kafka_message_destroy(m); continue; }
    idle = 0; got++;
    if (m->len >= 7 && !memcmp(m->payload, "aborted", 7)) aborted_seen++;
    rd_kafka_message_destroy(m);
  }
  printf("read_committed consumer: %d records, %d from the aborted transaction\n", got, aborted_seen);
  rd_kafka_topic_partition_list_t *pos = NULL;
  rd_kafka_assignment(k, &pos);
  rd_kafka_position(k, pos);
  CHK("begin(offsets)", rd_kafka_begin_transaction(p));
  rd_kafka_consumer_group_metadata_t *gm = rd_kafka_consumer_group_metadata(k);
  CHK("send_offsets_to_transaction", rd_kafka_send_offsets_to_transaction(p, pos, gm, 30000));
  CHK("commit(offsets)", rd_kafka_commit_transaction(p, 30000));
  printf("offsets committed in a transaction\n");
  rd_kafka_consumer_group_metadata_destroy(gm);
  rd_kafka_topic_partition_list_destroy(pos); rd_kafka_topic_partition_list_destroy(sub);
  rd_kafka_consumer_close(k); rd_kafka_destroy(k);
  rd_kafka_flush(p, 10000); rd_kafka_destroy(p);
  if (got != 20 || aborted_seen) { fprintf(stderr, "FAIL: expected 20 committed records, no aborted ones\n"); return 1; }
  printf("OK\n");
  return 0;
}
