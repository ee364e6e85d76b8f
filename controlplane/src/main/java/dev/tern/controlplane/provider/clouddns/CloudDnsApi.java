package dev.tern.controlplane.provider.clouddns;

import dev.tern.controlplane.provider.ProviderException;
import java.util.List;

/**
 * The narrow part of Cloud DNS that Tern uses: read a managed zone's record sets, submit one
 * change (deletions and additions, applied atomically), and ask whether a change is done.
 * {@link SdkCloudDnsApi} speaks it through the generated Google API client.
 *
 * <p><b>Failure.</b> Every call throws {@link ApiException}, which says whether trying again may
 * help (429, 5xx, rate-limit 403s, no answer) or not (a change Cloud DNS refuses: 400, 404, 409, 412).
 */
public interface CloudDnsApi {

  /** Cloud DNS takes at most this many additions, and as many deletions, in one change. */
  int MAX_CHANGE = 1000;

  /** Every record set of the managed zone, across pages. */
  List<CloudDnsRecord> list(String project, String managedZone);

  /**
   * Submits one change: {@code deletions} must match the record sets as they are.
   *
   * @return the change's id, to follow with {@link #done(String, String, String)}
   */
  String change(String project, String managedZone, List<CloudDnsRecord> deletions, List<CloudDnsRecord> additions);

  /** Whether the change with {@code id} is served by every name server ({@code done}) or still {@code pending}. */
  boolean done(String project, String managedZone, String id);

  /** A call that failed; {@link #retryable()} says whether trying again may help. */
  final class ApiException extends ProviderException {
    private final int status;

    public ApiException(String message, int status, boolean retryable, Throwable cause) {
      super(message, retryable, cause);
      this.status = status;
    }

    /** The HTTP status, or 0 when there was no answer. */
    public int status() {
      return status;
    }
  }
}
