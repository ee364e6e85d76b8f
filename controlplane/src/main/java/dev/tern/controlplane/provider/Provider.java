package dev.tern.controlplane.provider;

import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import java.util.List;
import java.util.Objects;

/**
 * One configured account of a cloud's traffic service, keeping the services bound to it serving
 * their committed plans: read what is there, diff it against the plan's native form (a pure
 * function), apply only the difference.
 *
 * <p><b>Ownership.</b> A provider changes only what it created for a service, recognised by its
 * ownership marker (a TXT record, a tag, a name prefix); anything else it finds in the way makes
 * the reconcile fail with the reason, changing nothing.
 *
 * <p><b>Drift.</b> Changes found for a plan version the provider already applied are a hand edit:
 * reported ({@link Result#drift()}) and corrected, except what an upsert-only policy keeps.
 *
 * <p><b>Threading.</b> The reconciler runs one reconcile per service at a time; implementations
 * may be called for different services concurrently.
 */
public interface Provider extends AutoCloseable {

  /** The account's name in {@code tern.providers}. */
  String name();

  /** {@code route53}, {@code global-accelerator}, {@code azure-traffic-manager} or {@code cloud-dns}. */
  String kind();

  /**
   * Why this provider cannot serve {@code service} as its policy says (one readable reason each);
   * empty when it can. A service with reasons is refused when its policy is written.
   */
  List<String> cannotExpress(Service service);

  /** Brings the cloud to serve {@code plan}; with {@code dryRun}, only says what it would change. */
  Result reconcile(Service service, RoutingPlan plan, boolean dryRun);

  /** Releases the SDK client. */
  @Override
  default void close() {}

  /** Closes {@code api} if it holds a client, logging (not throwing) a failure: for {@link #close()}. */
  static void closeQuietly(String provider, Object api) {
    if (api instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        java.util.logging.Logger.getLogger(Provider.class.getName()).fine(() -> provider + ": closing the client: " + e);
      }
    }
  }

  /**
   * One change a reconcile made or would make.
   *
   * @param action {@code create}, {@code update}, {@code upsert} (create or update) or {@code delete}
   * @param what the record, endpoint or setting, readably ({@code A z-eu.shop.example.com fra w=128})
   */
  record Change(String action, String what) {
    public Change {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(what, "what");
    }

    @Override
    public String toString() {
      return action + " " + what;
    }
  }

  /** What one reconcile found and did. */
  record Result(String service, long planVersion, List<Change> changes, boolean applied, boolean drift) {
    public Result {
      changes = List.copyOf(changes);
    }
  }
}
