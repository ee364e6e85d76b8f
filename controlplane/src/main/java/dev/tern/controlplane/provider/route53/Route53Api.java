package dev.tern.controlplane.provider.route53;

import dev.tern.controlplane.provider.ProviderException;
import java.util.List;

/**
 * The narrow part of Route 53 that Tern uses: read a hosted zone's record sets, and apply one
 * batch of changes. {@link SdkRoute53Api} speaks it through the AWS SDK.
 *
 * <p><b>Failure.</b> Both throw {@link ApiException}, which says whether trying again may help
 * (throttling, 5xx, no answer) or not (a change Route 53 refuses).
 */
public interface Route53Api {

  /** Every record set of the hosted zone. */
  List<Route53Record> list(String hostedZoneId);

  /** Applies {@code changes} as one batch (at most {@link #MAX_BATCH}), all or nothing. */
  void change(String hostedZoneId, List<Route53Diff.Change> changes, String comment);

  /** Route 53 takes at most this many changes in one ChangeResourceRecordSets. */
  int MAX_BATCH = 1000;

  /** A call that failed; {@link #retryable()} says whether trying again may help. */
  final class ApiException extends ProviderException {
    public ApiException(String message, boolean retryable, Throwable cause) {
      super(message, retryable, cause);
    }
  }
}
