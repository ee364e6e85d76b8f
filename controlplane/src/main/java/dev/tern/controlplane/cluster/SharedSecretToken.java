package dev.tern.controlplane.cluster;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;

/**
 * JGroups AUTH token proving that a joining node knows the cluster secret: it carries an HMAC of a
 * fixed label under a key derived from the secret, never the secret itself. The traffic around it
 * is encrypted with another key derived from the same secret (see {@link ChannelFactory}).
 */
public final class SharedSecretToken extends AuthToken {

  private static final int PROOF_BYTES = 32;

  private byte[] proof = new byte[0];

  /** For JGroups, which creates the remote side's token reflectively before reading it. */
  public SharedSecretToken() {}

  SharedSecretToken(String secret) {
    this.proof = proof(secret);
  }

  static byte[] proof(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(ChannelFactory.derive(secret, "tern-cluster-auth"), "HmacSHA256"));
      return mac.doFinal("tern-cluster-join-v1".getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String getName() {
    return SharedSecretToken.class.getName();
  }

  @Override
  public int size() {
    return Integer.BYTES + proof.length;
  }

  @Override
  public boolean authenticate(AuthToken remote, Message message) {
    return remote instanceof SharedSecretToken other
        && proof.length == PROOF_BYTES
        && MessageDigest.isEqual(proof, other.proof);
  }

  @Override
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(proof.length);
    out.write(proof);
  }

  @Override
  public void readFrom(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 1024) {
      throw new IOException("authentication proof of " + n + " bytes is out of range");
    }
    proof = new byte[n];
    in.readFully(proof);
  }
}
