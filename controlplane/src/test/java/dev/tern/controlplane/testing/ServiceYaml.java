package dev.tern.controlplane.testing;

/** The policy most control-plane tests use: a failover service, Frankfurt first, Amsterdam second. */
public final class ServiceYaml {

  private ServiceYaml() {}

  /**
   * One {@code kind: Service} document named {@code name} (hostname {@code name.gslb.example.com})
   * with backends {@code fra} (priority 1) and {@code ams} (priority 2), and the given health
   * thresholds and failback delay.
   */
  public static String failover(String name, int failAfter, int recoverAfter, String failbackDelay) {
    return """
        kind: Service
        name: %1$s
        hostname: %1$s.gslb.example.com
        routing:
          method: failover
        backends:
          - name: fra
            cloud: aws
            region: eu-central-1
            jurisdiction: EU
            address: 192.0.2.10
            priority: 1
          - name: ams
            cloud: azure
            region: westeurope
            jurisdiction: EU
            address: 192.0.2.20
            priority: 2
        health:
          failAfter: %2$d
          recoverAfter: %3$d
          quorum: 2
          staleAfter: 30s
          failbackDelay: %4$s
        """.formatted(name, failAfter, recoverAfter, failbackDelay);
  }
}
