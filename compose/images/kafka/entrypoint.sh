#!/bin/sh
# One KRaft node (broker + controller). WS_NAME picks its generated server.properties;
# KAFKA_CLUSTER_ID is the same on every node. Storage is formatted once (a restart keeps it).
set -eu
conf=/etc/windshear/$WS_NAME
dir=/var/lib/windshear/$WS_NAME
mkdir -p "$dir/log"
log4j="-Dlog4j2.configurationFile=$conf/log4j2.properties"
java -Xmx256m "$log4j" -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format \
  -t "$KAFKA_CLUSTER_ID" -c "$conf/server.properties" --ignore-formatted
# JAVA_JIT_FLAGS: C1 only, set by compose.yaml (as the local platform's JIT_FLAGS).
# shellcheck disable=SC2086
exec java -Xms256m -Xmx512m ${JAVA_JIT_FLAGS:-} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  "$log4j" "-Dkafka.logs.dir=$dir" -cp '/opt/kafka/libs/*' kafka.Kafka "$conf/server.properties"
