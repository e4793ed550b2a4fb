; Inno Setup 6 script for Outreach: a per-user install, no administrator rights.
;
; Built by installer\windows\build.ps1, which passes the version and publisher it
; reads from the package:  ISCC /DAppVersion=0.1.0 "/DAppPublisher=..." outreach.iss
; It packs dist\outreach\ (the PyInstaller onedir build) into dist\Outreach-<version>-setup.exe.
;
; The user's data is NOT in the install folder: it lives in %LOCALAPPDATA%\Outreach
; (outreach\paths.py), so upgrading or uninstalling never touches it unless the
; user asks, on the uninstaller's question, for it to be deleted.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z (build.ps1 does).
#endif
#ifndef AppVersionNumeric
  ; Windows' file version must be digits and dots (build.ps1 strips e.g. "rc1").
  #define AppVersionNumeric AppVersion
#endif
#ifndef AppPublisher
  #define AppPublisher "Outreach developers"
#endif
#define AppName "Outreach"
#define GuiExe "outreach-gui.exe"
#define Root "..\.."

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{951793C8-EC46-47B8-AD71-385222A14C36}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductName={#AppName}
; Per user: no UAC prompt, installs under the user's own profile.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile={#Root}\resources\icons\outreach.ico
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An upgrade while Outreach is open: close it (the database is closed cleanly on quit).
CloseApplications=yes
RestartApplications=no

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the program folder whole, so no file of an older build lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Root}\dist\outreach\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// The uninstaller removes the program; the user's database, backups and logs
// stay unless the user says yes here. Silent uninstalls keep the data unless
// run with /DELETEDATA (for an administrator clearing a machine on purpose).
function DataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\{#AppName}');
end;

function WantsDataDeleted(): Boolean;
begin
  if UninstallSilent() then
    Result := Pos('/DELETEDATA', Uppercase(GetCmdTail())) > 0
  else
    Result := MsgBox(
      'Also delete your Outreach data?' + #13#10 + #13#10 +
      'Your database, its backups and the logs are in:' + #13#10 + DataDir() + #13#10 + #13#10 +
      'Choose No to keep them (reinstalling Outreach finds them again). ' +
      'Choose Yes only if you have a copy you need or want everything gone: ' +
      'this cannot be undone.',
      mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(DataDir()) and WantsDataDeleted() then
  begin
    if not DelTree(DataDir(), True, True, True) then
      MsgBox('Some files in ' + DataDir() + ' could not be deleted (is Outreach still open?). ' +
        'Delete the folder by hand.', mbError, MB_OK);
    // The window's size and position (Qt's settings for the app).
    RegDeleteKeyIncludingSubkeys(HKEY_CURRENT_USER, 'Software\{#AppName}');
  end;
end;
