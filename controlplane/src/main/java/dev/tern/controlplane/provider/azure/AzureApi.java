package dev.tern.controlplane.provider.azure;

import dev.tern.controlplane.provider.ProviderException;
import java.util.List;

/**
 * The narrow part of Traffic Manager's resource manager API that Tern uses, in one resource group:
 * list the profiles, create a profile with its endpoints, update a profile's settings, put and
 * delete one endpoint, delete a profile. {@link SdkAzureApi} speaks it through the Azure SDK.
 *
 * <p><b>Failure.</b> Every call throws {@link ApiException}, which says whether trying again may
 * help (429, 5xx, no answer) or not (a request Azure refuses: 400, 403, 404, 409).
 */
public interface AzureApi {

  /** Every profile in the resource group, with its endpoints and tags. */
  List<AzureTmProfile> list();

  /** Creates {@code profile} with its endpoints (PUT of the whole profile). */
  void create(AzureTmProfile profile);

  /** Changes a profile's settings and tags, leaving its endpoints as they are (PATCH). */
  void update(AzureTmProfile profile);

  /** Creates or replaces one endpoint of profile {@code profile}. */
  void putEndpoint(String profile, AzureTmEndpoint endpoint);

  /** Deletes one endpoint of profile {@code profile}. */
  void deleteEndpoint(String profile, AzureTmEndpoint endpoint);

  /** Deletes a profile and its endpoints. */
  void delete(String profile);

  /** A call that failed; {@link #retryable()} says whether trying again may help. */
  final class ApiException extends ProviderException {
    public ApiException(String message, boolean retryable, Throwable cause) {
      super(message, retryable, cause);
    }
  }
}
