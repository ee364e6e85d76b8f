package dev.tern.controlplane.provider.globalaccelerator;

import dev.tern.controlplane.provider.ProviderException;
import java.util.List;
import java.util.Map;

/**
 * The narrow part of Global Accelerator that Tern uses: an accelerator's tags (ownership), a
 * listener's endpoint groups, and creating, updating and deleting one group. {@link
 * SdkGlobalAcceleratorApi} speaks it through the AWS SDK.
 *
 * <p><b>Failure.</b> Every method throws {@link ApiException}, which says whether trying again may
 * help (throttling, 5xx, no answer) or not (a request Global Accelerator refuses).
 */
public interface GlobalAcceleratorApi {

  /** The tags of the accelerator (ListTagsForResource), key to value. */
  Map<String, String> tags(String acceleratorArn);

  /** Every endpoint group of the listener (every page of ListEndpointGroups). */
  List<GlobalAcceleratorDiff.Listed> endpointGroups(String listenerArn);

  /**
   * Creates {@code group} in the listener and returns its ARN. {@code idempotencyToken} makes a
   * retried create of a group that was in fact created return that group rather than fail.
   */
  String create(String listenerArn, EndpointGroup group, String idempotencyToken);

  /** Sets the group's traffic dial and replaces its endpoints with {@code group}'s. */
  void update(String endpointGroupArn, EndpointGroup group);

  void delete(String endpointGroupArn);

  /** A call that failed; {@link #retryable()} says whether trying again may help. */
  final class ApiException extends ProviderException {
    public ApiException(String message, boolean retryable, Throwable cause) {
      super(message, retryable, cause);
    }
  }
}
