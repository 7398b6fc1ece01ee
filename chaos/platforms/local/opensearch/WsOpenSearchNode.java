import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.common.settings.Settings;

/**
 * One OpenSearch node of windshear's cluster. Kept as source only: `up` compiles it once into the
 * tool cache (opensearch-node-classes.ts); by hand, Java's single-file launcher runs it as it is:
 *
 *   java -Xms512m -Xmx512m -cp '<runner libs>/*' WsOpenSearchNode.java <base path> <opensearch.yml>
 *
 * The codelibs runner (OpenSearchRunner) starts a node from jars alone (modules as classpath
 * plugins), but puts its own node.name ("Node 1"), http.port, cluster.name and path.* into the
 * node settings, over opensearch.yml. Its onBuild callback runs before it does and it only adds
 * what is absent, so the file's settings, put here, are the node's: its own name, address,
 * ports, data path and zone. Keeps running like the runner's own main until the JVM is told to
 * stop (SIGTERM runs the shutdown hook, which closes the node).
 */
public final class WsOpenSearchNode {
  private WsOpenSearchNode() {}

  public static void main(final String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: WsOpenSearchNode <base path> <opensearch.yml>");
      System.exit(2);
    }
    final Path base = Paths.get(args[0]).toAbsolutePath();
    final Settings settings = Settings.builder().loadFromPath(Paths.get(args[1])).build();
    final String httpPort = settings.get("http.port", "9201");
    final OpenSearchRunner runner = new OpenSearchRunner();
    runner.onBuild((index, builder) -> builder.put(settings));
    // No probing of localhost for a free HTTP port: this node's port is in the file.
    runner.setMaxHttpPort(-1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    runner.close();
                  } catch (final IOException e) {
                    System.err.println("closing the node: " + e.getMessage());
                  }
                }));
    try {
      runner.build(
          "-basePath",
          base.toString(),
          "-numOfNode",
          "1",
          // Only printed by the runner: http.port from the file is the one bound.
          "-baseHttpPort",
          String.valueOf(Integer.parseInt(httpPort) - 1),
          "-clusterName",
          settings.get("cluster.name", "windshear"));
    } catch (final RuntimeException e) {
      e.printStackTrace();
      System.exit(1);
    }
    while (!runner.isClosed()) {
      Thread.sleep(5000);
    }
  }
}
