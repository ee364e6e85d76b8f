package dev.tern.policy.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReservedAddressesTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "169.254.169.254", "169.254.170.2", "169.254.0.1", "fe80::1", "febf::ffff", "fd00:ec2::254",
      "168.63.129.16", "100.100.100.200", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe"})
  void metadata_and_link_local_addresses_are_refused(String address) throws Exception {
    assertTrue(ReservedAddresses.refusal(address).isPresent(), address);
    assertTrue(ReservedAddresses.refusal(InetAddress.getByName(address).getAddress()).isPresent(), address);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "127.0.0.1", "10.0.0.5", "192.168.1.1", "172.16.0.1", "192.0.2.10", "169.253.255.255", "169.255.0.1",
      "100.100.100.201", "2001:db8::10", "fec0::1", "::1", "fd00:ec2::253", "shop.example.com"})
  void backend_addresses_loopback_and_names_are_not(String address) {
    assertEquals(Optional.empty(), ReservedAddresses.refusal(address), address);
  }

  @ParameterizedTest
  @CsvSource({"169.254.169.254, link-local", "fd00:ec2::254, AWS", "168.63.129.16, Azure", "100.100.100.200, Alibaba"})
  void the_refusal_says_why(String address, String fragment) {
    String why = ReservedAddresses.refusal(address).orElseThrow();
    assertTrue(why.contains(fragment), why);
  }

  @ParameterizedTest
  @ValueSource(strings = {"::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe"})
  void an_ipv4_address_written_as_ipv6_is_judged_as_ipv4(String address) {
    byte[] v6 = new byte[16];
    if (address.startsWith("::ffff:")) {
      v6[10] = (byte) 0xFF;
      v6[11] = (byte) 0xFF;
    } else {
      v6[0] = 0x00;
      v6[1] = 0x64;
      v6[2] = (byte) 0xFF;
      v6[3] = (byte) 0x9B;
    }
    v6[12] = (byte) 169;
    v6[13] = (byte) 254;
    v6[14] = (byte) 169;
    v6[15] = (byte) 254;
    assertTrue(ReservedAddresses.refusal(v6).isPresent(), address);
  }
}
