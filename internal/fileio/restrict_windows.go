//go:build windows

package fileio

import "golang.org/x/sys/windows"

// privateDirSDDL grants full control to SYSTEM, the Administrators group and
// the directory's owner, inherited by everything created inside, and blocks
// what the parent would pass down: %ProgramData% lets every local user read.
const privateDirSDDL = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;OW)"

// RestrictDir makes dir private to its owner and administrators, the Windows
// counterpart of mode 0700: file modes do not govern access there, ACLs do.
func RestrictDir(dir string) error {
	sd, err := windows.SecurityDescriptorFromString(privateDirSDDL)
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	return windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}
