#!/bin/sh
# One OpenSearch node of the three-AZ cluster: the codelibs runner's jars started by
# WsOpenSearchNode with the node's generated opensearch.yml (chaos/platforms/local/opensearch).
set -eu
dir=/var/lib/windshear/$WS_NAME
mkdir -p "$dir/base/node_1/config"
cp "/etc/windshear/$WS_NAME/opensearch.yml" "$dir/base/node_1/config/opensearch.yml"
heap=${OPENSEARCH_HEAP:-512m}
# JAVA_JIT_FLAGS: C1 only, set by compose.yaml (as the local platform's JIT_FLAGS).
# shellcheck disable=SC2086
exec java "-Xms$heap" "-Xmx$heap" ${JAVA_JIT_FLAGS:-} -XX:+UseG1GC -Djava.awt.headless=true \
  -cp '/opt/opensearch/classes:/opt/opensearch/libs/*' WsOpenSearchNode \
  "$dir/base" "$dir/base/node_1/config/opensearch.yml"
